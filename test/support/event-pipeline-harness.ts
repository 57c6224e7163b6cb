import { LocalRunEventNormaliser } from '../../src/adapters/local/local-run-event-normaliser.js';
import { InMemoryRunEventSource } from '../../src/adapters/memory/in-memory-run-event-source.js';
import { PrometheusMetrics } from '../../src/adapters/metrics/prometheus-metrics.js';
import { WebhookRunCompletionSink } from '../../src/adapters/operator/webhook-run-completion-sink.js';
import { EventPipeline, type EventPipelineOptions } from '../../src/application/event-pipeline.js';
import { RunEventAttempt } from '../../src/application/run-event-attempt.js';
import type { Clock } from '../../src/ports/clock.js';
import type { WebhookSendResult } from '../../src/ports/event-pipeline-metrics.js';
import { RecordingWebhookReceiver } from '../../src/testing/recording-webhook-receiver.js';
import { RecordingLogger } from './recording-logger.js';

/** The real event pipeline wired to an in-memory source and a real webhook receiver. */
export interface PipelineHarness {
  readonly receiver: RecordingWebhookReceiver;
  readonly source: InMemoryRunEventSource;
  readonly metrics: PrometheusMetrics;
  readonly logger: RecordingLogger;
  /** The attempt the pipeline makes at each message, also usable on its own as relays do. */
  readonly attempt: RunEventAttempt;
  readonly pipeline: EventPipeline;
  /** Stops the pipeline (if started) and the receiver. */
  close(): Promise<void>;
}

/** Options of {@link startPipelineHarness}: pipeline tuning plus the sink timeout and clocks. */
export interface PipelineHarnessOptions extends Partial<EventPipelineOptions> {
  readonly webhookTimeoutMs?: number;
  /** The clock stamping `firstSeenAt` at the source. */
  readonly sourceClock?: Clock;
}

const systemClock: Clock = { now: () => new Date() };

export async function startPipelineHarness(options: PipelineHarnessOptions = {}): Promise<PipelineHarness> {
  const receiver = await new RecordingWebhookReceiver().start();
  const source = new InMemoryRunEventSource({ clock: options.sourceClock ?? systemClock });
  const metrics = new PrometheusMetrics({ defaultMetrics: false });
  const logger = new RecordingLogger();
  const attempt = new RunEventAttempt({
    normaliser: new LocalRunEventNormaliser(),
    sink: new WebhookRunCompletionSink({ url: receiver.url, timeoutMs: options.webhookTimeoutMs ?? 2000 }),
    metrics,
    logger,
  });
  const pipeline = new EventPipeline(
    { source, processor: attempt, metrics, logger, clock: systemClock },
    {
      concurrency: options.concurrency ?? 4,
      maxAgeMs: options.maxAgeMs ?? 60_000,
      retryInitialMs: options.retryInitialMs ?? 5,
      retryMaxMs: options.retryMaxMs ?? 20,
      ...(options.maxAwaitingRetry === undefined ? {} : { maxAwaitingRetry: options.maxAwaitingRetry }),
      random: options.random ?? (() => 0.5),
    },
  );
  let stopped = false;
  return {
    receiver,
    source,
    metrics,
    logger,
    attempt,
    pipeline,
    close: async () => {
      if (!stopped) {
        stopped = true;
        await pipeline.stop(100);
      }
      await receiver.stop();
    },
  };
}

/** The webhook send counter by result. */
export async function sendResults(metrics: PrometheusMetrics): Promise<Record<WebhookSendResult, number>> {
  const metric = metrics.registry.getSingleMetric('provider_webhook_send_events_count_total');
  if (!metric) throw new Error('provider_webhook_send_events_count_total is not registered');
  const { values } = await metric.get();
  const counts = { Success: 0, RecoverableFailure: 0, UnrecoverableFailure: 0, Discarded: 0 };
  for (const value of values) counts[value.labels['result'] as WebhookSendResult] = value.value;
  return counts;
}
