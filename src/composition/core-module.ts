import { ContainerModule } from 'inversify';
import { EventPipeline } from '../application/event-pipeline.js';
import { RunEventAttempt } from '../application/run-event-attempt.js';
import { ServiceConfig, type ServiceConfig as ServiceConfigType } from '../config/service-config.js';
import { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics.js';
import { LoggingRunCompletionSink } from '../adapters/operator/logging-run-completion-sink.js';
import { WebhookRunCompletionSink } from '../adapters/operator/webhook-run-completion-sink.js';
import { randomIdGenerator } from '../adapters/system/random-id-generator.js';
import { systemClock } from '../adapters/system/system-clock.js';
import { Clock } from '../ports/clock.js';
import { EventPipelineMetrics } from '../ports/event-pipeline-metrics.js';
import { IdGenerator } from '../ports/id-generator.js';
import { Logger } from '../ports/logger.js';
import { RunCompletionSink } from '../ports/run-completion-sink.js';
import { RunEventNormaliser } from '../ports/run-event-normaliser.js';
import { RunEventSource } from '../ports/run-event-source.js';
import { SingleEventProcessor } from '../ports/single-event-processor.js';

/** Injection token of the service's {@link PrometheusMetrics}. */
export const PrometheusMetricsToken = Symbol.for('kfp-provider-service.PrometheusMetrics');

/** Injection token of the running {@link EventPipeline}. */
export const EventPipelineToken = Symbol.for('kfp-provider-service.EventPipeline');

/** What the core bindings need from outside the container. */
export interface CoreModuleOptions {
  readonly config: ServiceConfigType;
  readonly logger: Logger;
  /** Overrides of the system clock and random ids, for tests and embedding. */
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /** Collect Node's default process metrics (off when several services share a process). */
  readonly defaultMetrics?: boolean;
}

/**
 * Binds what every provider shares: configuration, logging, time and ids, metrics, the
 * run completion sink (the operator webhook, or the log when none is configured) and the event
 * pipeline that connects the provider's event source to the sink.
 */
export function coreModule(options: CoreModuleOptions): ContainerModule {
  return new ContainerModule((bindings) => {
    bindings.bind(ServiceConfig).toConstantValue(options.config);
    bindings.bind(Logger).toConstantValue(options.logger);
    bindings.bind(Clock).toConstantValue(options.clock ?? systemClock);
    bindings.bind(IdGenerator).toConstantValue(options.ids ?? randomIdGenerator);
    bindings
      .bind(PrometheusMetricsToken)
      .toResolvedValue(() => new PrometheusMetrics({ defaultMetrics: options.defaultMetrics ?? true }))
      .inSingletonScope();
    bindings
      .bind(EventPipelineMetrics)
      .toResolvedValue((metrics: PrometheusMetrics) => metrics, [PrometheusMetricsToken])
      .inSingletonScope();
    bindings
      .bind(RunCompletionSink)
      .toResolvedValue(
        (config: ServiceConfigType, logger: Logger) =>
          config.operatorWebhook
            ? new WebhookRunCompletionSink({ url: config.operatorWebhook, timeoutMs: config.events.webhookTimeoutMs })
            : new LoggingRunCompletionSink(logger.child({ component: 'event-sink' })),
        [ServiceConfig, Logger],
      )
      .inSingletonScope()
      .onDeactivation((sink) => {
        if (sink instanceof WebhookRunCompletionSink) sink.close();
      });
    // One attempt object for the pipeline and the relays alike, so both count and log the same.
    bindings
      .bind(SingleEventProcessor)
      .toResolvedValue(
        (normaliser: RunEventNormaliser, sink: RunCompletionSink, metrics: EventPipelineMetrics, logger: Logger) =>
          new RunEventAttempt({ normaliser, sink, metrics, logger: logger.child({ component: 'event-pipeline' }) }),
        [RunEventNormaliser, RunCompletionSink, EventPipelineMetrics, Logger],
      )
      .inSingletonScope();
    bindings
      .bind(EventPipelineToken)
      .toResolvedValue(
        (
          config: ServiceConfigType,
          source: RunEventSource,
          processor: SingleEventProcessor,
          metrics: EventPipelineMetrics,
          logger: Logger,
          clock: Clock,
        ) => new EventPipeline({ source, processor, metrics, logger: logger.child({ component: 'event-pipeline' }), clock }, config.events),
        [ServiceConfig, RunEventSource, SingleEventProcessor, EventPipelineMetrics, Logger, Clock],
      )
      .inSingletonScope();
  });
}
