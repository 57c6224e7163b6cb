import { ContainerModule } from 'inversify';
import { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics.js';
import { LoggingRunCompletionSink } from '../adapters/operator/logging-run-completion-sink.js';
import { WebhookRunCompletionSink } from '../adapters/operator/webhook-run-completion-sink.js';
import { randomIdGenerator } from '../adapters/system/random-id-generator.js';
import { systemClock } from '../adapters/system/system-clock.js';
import { EventPipeline } from '../application/event-pipeline.js';
import { RunEventAttempt } from '../application/run-event-attempt.js';
import { ServiceConfig } from '../config/service-config.js';
import { Clock } from '../ports/clock.js';
import { HttpRouteContribution } from '../ports/http-route-contribution.js';
import { IdGenerator } from '../ports/id-generator.js';
import { LeadershipMetrics } from '../ports/leadership-metrics.js';
import { Logger } from '../ports/logger.js';
import { Provider } from '../ports/provider.js';
import { RunCompletionSink } from '../ports/run-completion-sink.js';
import { RunEventNormaliser } from '../ports/run-event-normaliser.js';
import { RunEventSource } from '../ports/run-event-source.js';
import { SingleEventProcessor } from '../ports/single-event-processor.js';
import { ServiceRuntime, ServiceRuntimeToken } from './service-runtime.js';

// The one metrics object of a service: the event attempt counts into it, the HTTP API observes
// into it and the metrics server serves its registry.
const ServiceMetrics = Symbol.for('kfp-provider-service.ServiceMetrics');

/** What the core bindings need from outside the container. */
export interface CoreModuleOptions {
  readonly config: ServiceConfig;
  readonly logger: Logger;
  /** Overrides of the system clock and random ids, for tests and embedding. */
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /** Collect Node's default process metrics (off when several services share a process). */
  readonly defaultMetrics: boolean;
}

/**
 * Binds what every provider shares: configuration, logging, time and ids, metrics, the run
 * completion sink (the operator webhook, or the log when none is configured), the one-event
 * attempt that relays use, and the {@link ServiceRuntime} built from the provider module's
 * `Provider`, `RunEventSource`, `RunEventNormaliser` and route contributions.
 */
export function coreModule(options: CoreModuleOptions): ContainerModule {
  return new ContainerModule((bindings) => {
    bindings.bind(ServiceConfig).toConstantValue(options.config);
    bindings.bind(Logger).toConstantValue(options.logger);
    bindings.bind(Clock).toConstantValue(options.clock ?? systemClock);
    bindings.bind(IdGenerator).toConstantValue(options.ids ?? randomIdGenerator);
    bindings
      .bind(ServiceMetrics)
      .toResolvedValue(() => new PrometheusMetrics({ defaultMetrics: options.defaultMetrics }))
      .inSingletonScope();
    bindings.bind(LeadershipMetrics).toService(ServiceMetrics);
    bindings
      .bind(RunCompletionSink)
      .toResolvedValue(
        (config: ServiceConfig, logger: Logger) =>
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
        (normaliser: RunEventNormaliser, sink: RunCompletionSink, metrics: PrometheusMetrics, logger: Logger) =>
          new RunEventAttempt({ normaliser, sink, metrics, logger: logger.child({ component: 'event-pipeline' }) }),
        [RunEventNormaliser, RunCompletionSink, ServiceMetrics, Logger],
      )
      .inSingletonScope();
    bindings
      .bind(ServiceRuntimeToken)
      .toResolvedValue(
        (
          config: ServiceConfig,
          logger: Logger,
          clock: Clock,
          ids: IdGenerator,
          provider: Provider,
          source: RunEventSource,
          processor: SingleEventProcessor,
          metrics: PrometheusMetrics,
          contributions: HttpRouteContribution[] | undefined,
        ) => {
          const pipeline = new EventPipeline(
            { source, processor, metrics, logger: logger.child({ component: 'event-pipeline' }), clock },
            config.events,
          );
          metrics.trackEventSource(() => source.health?.() ?? { connected: true, reconnects: 0 });
          return new ServiceRuntime({ config, logger, ids, provider, pipeline, metrics, contributions: contributions ?? [] });
        },
        [
          ServiceConfig,
          Logger,
          Clock,
          IdGenerator,
          Provider,
          RunEventSource,
          SingleEventProcessor,
          ServiceMetrics,
          { serviceIdentifier: HttpRouteContribution, isMultiple: true, optional: true },
        ],
      )
      .inSingletonScope();
  });
}
