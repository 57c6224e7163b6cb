// Head-of-line blocking: N poison events (the webhook answers 500 to them for ever) enter the
// event pipeline first, then a steady stream of healthy events follows. Prints how long the
// healthy events took from publication to acknowledgement (median, p99, max) next to the retry
// interval the poison events wait out: when a waiting event held a delivery slot, N ≥
// concurrency poison events stalled every healthy one until they reached EVENTS_MAX_AGE_MS.
// Then the memory the pipeline keeps per event waiting for a retry: heap after a full GC with
// BENCH_HOL_WAITING events queued at the source, against the same events all waiting.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { InMemoryRunEventSource } from '../dist/adapters/memory/in-memory-run-event-source.js';
import { LocalRunEventNormaliser } from '../dist/adapters/local/local-run-event-normaliser.js';
import { silentLogger } from '../dist/adapters/logging/silent-logger.js';
import { WebhookRunCompletionSink } from '../dist/adapters/operator/webhook-run-completion-sink.js';
import { EventPipeline } from '../dist/application/event-pipeline.js';
import { RunEventAttempt } from '../dist/application/run-event-attempt.js';
import { median, percentile, row, startWebhookReceiver } from './support.mjs';

const poisonCount = Number(process.env.BENCH_HOL_POISON ?? 8);
const healthyCount = Number(process.env.BENCH_HOL_HEALTHY ?? 300);
const healthyPerSecond = Number(process.env.BENCH_HOL_RATE ?? 50);
const concurrency = Number(process.env.BENCH_HOL_CONCURRENCY ?? 8);
const retryInitialMs = Number(process.env.BENCH_HOL_RETRY_INITIAL_MS ?? 1000);
const retryMaxMs = Number(process.env.BENCH_HOL_RETRY_MAX_MS ?? 4000);
const waitingCount = Number(process.env.BENCH_HOL_WAITING ?? 1000);
const webhookLatencyMs = Number(process.env.BENCH_HOL_WEBHOOK_LATENCY_MS ?? 5);

const noMetrics = { countSendResult() {}, setInFlight() {}, setAwaitingRetry() {}, observeSettleLatency() {} };

// A full collection on demand without starting this process with --expose-gc.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc');

function event(runId) {
  return {
    status: 'succeeded',
    pipelineName: { namespace: 'bench', name: 'pipeline' },
    runConfigurationName: { namespace: 'bench', name: 'daily' },
    runName: { namespace: 'bench', name: runId },
    runId,
    runStartTime: new Date(1_700_000_000_000),
    runEndTime: new Date(1_700_000_060_000),
    pipelineComponents: [],
    provider: { namespace: 'bench', name: 'provider' },
  };
}

/** The real pipeline over an in-memory source, counting the events that wait for a retry. */
function pipelineTo(url, source, options, webhookTimeoutMs = 10_000) {
  const gauges = { awaiting: 0 };
  const metrics = { ...noMetrics, setAwaitingRetry: (count) => (gauges.awaiting = count) };
  const processor = new RunEventAttempt({
    normaliser: new LocalRunEventNormaliser(),
    sink: new WebhookRunCompletionSink({ url, timeoutMs: webhookTimeoutMs }),
    metrics: noMetrics,
    logger: silentLogger,
  });
  const pipeline = new EventPipeline({ source, processor, metrics, logger: silentLogger, clock: { now: () => new Date() } }, options);
  return { pipeline, gauges };
}

async function until(check, what, timeoutMs = 60_000) {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** An in-memory source that notes when each message is acknowledged. */
function timedSource() {
  const inner = new InMemoryRunEventSource();
  const ackedAt = new Map();
  return {
    inner,
    ackedAt,
    start: () => inner.start(),
    stop: () => inner.stop(),
    async *messages() {
      for await (const message of inner.messages()) {
        yield {
          ...message,
          ack: async () => {
            ackedAt.set(message.id, performance.now());
            await message.ack();
          },
        };
      }
    },
  };
}

async function delays(url) {
  const source = timedSource();
  const { pipeline, gauges } = pipelineTo(url, source, { concurrency, maxAgeMs: 3_600_000, retryInitialMs, retryMaxMs });
  await pipeline.start();
  for (let n = 0; n < poisonCount; n += 1) source.inner.publish(event(`poison-${n}`));
  await until(() => gauges.awaiting === poisonCount, 'the poison events to wait for their retry');
  const publishedAt = new Map();
  const started = performance.now();
  for (let n = 0; n < healthyCount; n += 1) {
    const due = started + (n * 1000) / healthyPerSecond;
    while (performance.now() < due) await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    publishedAt.set(source.inner.publish(event(`healthy-${n}`)), performance.now());
  }
  await until(() => [...publishedAt.keys()].every((id) => source.ackedAt.has(id)), 'every healthy event', healthyCount * 1000);
  const stillWaiting = gauges.awaiting;
  await pipeline.stop(1000);
  return { delays: [...publishedAt].map(([id, at]) => source.ackedAt.get(id) - at), stillWaiting };
}

async function heapPerWaitingEvent(url) {
  const source = new InMemoryRunEventSource();
  // A short webhook timeout: each request's timeout signal lives that long, and it is not what
  // an event keeps while it waits.
  const webhookTimeoutMs = 1000;
  const { pipeline, gauges } = pipelineTo(
    url,
    source,
    { concurrency, maxAgeMs: 3_600_000, retryInitialMs: 600_000, retryMaxMs: 600_000, maxAwaitingRetry: waitingCount },
    webhookTimeoutMs,
  );
  for (let n = 0; n < waitingCount; n += 1) source.publish(event(`poison-w${n}`));
  collectGarbage();
  const queued = process.memoryUsage().heapUsed;
  await pipeline.start();
  await until(() => gauges.awaiting === waitingCount, `${waitingCount} events waiting`);
  await new Promise((resolve) => setTimeout(resolve, webhookTimeoutMs + 500));
  collectGarbage();
  const waiting = process.memoryUsage().heapUsed;
  await pipeline.stop(1000);
  return (waiting - queued) / waitingCount;
}

export async function main() {
  const receiver = await startWebhookReceiver({ WEBHOOK_LATENCY_MS: String(webhookLatencyMs), WEBHOOK_FAIL_RUN_PREFIX: 'poison' });
  try {
    const { delays: measured, stillWaiting } = await delays(receiver.url);
    const firstRetryMs = retryInitialMs * 0.75;
    console.log(
      `\nhead-of-line: ${poisonCount} poison events (500 for ever) with concurrency ${concurrency}, then ${healthyCount} healthy events at ${healthyPerSecond}/s; ` +
        `webhook answers after ${webhookLatencyMs} ms; retry ${retryInitialMs}→${retryMaxMs} ms (first retry after ${firstRetryMs} ms on average)`,
    );
    const widths = [26, 12, 12, 12, 22];
    row(['healthy delivery delay', 'median ms', 'p99 ms', 'max ms', 'p99 / first retry'], widths);
    const p99 = percentile(measured, 99);
    row(
      [
        `${measured.length} events`,
        median(measured).toFixed(1),
        p99.toFixed(1),
        Math.max(...measured).toFixed(1),
        (p99 / firstRetryMs).toFixed(3),
      ],
      widths,
    );
    console.log(`poison events still waiting for a retry at the end: ${stillWaiting} of ${poisonCount}`);
    console.log(
      `target: healthy events delayed by at most one retry interval → p99 ${p99.toFixed(1)} ms ${p99 <= firstRetryMs ? 'met' : 'MISSED'}`,
    );
    const perEvent = await heapPerWaitingEvent(receiver.url);
    console.log(
      `heap the pipeline keeps per event waiting for a retry (${waitingCount} waiting, after a full GC): ${(perEvent / 1024).toFixed(2)} KiB`,
    );
  } finally {
    receiver.child.kill();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
