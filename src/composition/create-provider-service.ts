import { Container, ContainerModule } from 'inversify';
import type Koa from 'koa';
import { LocalRunEventNormaliser } from '../adapters/local/local-run-event-normaliser.js';
import { silentLogger } from '../adapters/logging/silent-logger.js';
import { InMemoryRunEventSource } from '../adapters/memory/in-memory-run-event-source.js';
import type { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics.js';
import { loadServiceConfig, type ProviderType, type ServiceConfig } from '../config/service-config.js';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { Logger } from '../ports/logger.js';
import { Provider } from '../ports/provider.js';
import { RunCompletionSink } from '../ports/run-completion-sink.js';
import { RunEventNormaliser } from '../ports/run-event-normaliser.js';
import { RunEventSource } from '../ports/run-event-source.js';
import { coreModule } from './core-module.js';
import { providerModuleFor } from './provider-modules.js';
import { type ServiceRuntime, ServiceRuntimeToken } from './service-runtime.js';

/** Environment-style settings (`SERVER_PORT`, `OPERATORWEBHOOK`, `PARAMETERS_…`), as the operator sets them. */
export type ServiceEnvironment = Readonly<Record<string, string | undefined>>;

/** What {@link createProviderService} builds a service from. Only `provider` is usually needed. */
export interface ProviderServiceOptions {
  /**
   * The provider: an implementation of the {@link Provider} port (a custom provider), or a
   * built-in kind (`local`, `vai`, `kfp`) whose module is imported only now, so embedding never
   * loads a cloud SDK that is not used. Left out, the kind the configuration names is used.
   */
  readonly provider?: Provider | ProviderType;
  /** Where run events come from; defaults to a fresh `InMemoryRunEventSource` for a custom provider. */
  readonly eventSource?: RunEventSource;
  /** Turns the source's payloads into run completions; defaults to accepting domain `RunCompletionEvent`s. */
  readonly normaliser?: RunEventNormaliser;
  /** Where completions go; defaults to the `OPERATORWEBHOOK` webhook, or the log when it is not set. */
  readonly sink?: RunCompletionSink;
  /**
   * A parsed configuration, or environment-style settings parsed with `loadServiceConfig`. For
   * settings, embedding defaults apply first: `SERVER_HOST=127.0.0.1`, `SERVER_PORT=0` and
   * `METRICS_PORT=0`, so an embedded service never takes a fixed port or an outside interface.
   */
  readonly config?: ServiceConfig | ServiceEnvironment;
  /** Defaults to a logger that writes nothing: a library does not write to its host's stdout unasked. */
  readonly logger?: Logger;
  /** Overrides the system clock (event times, retry ages). */
  readonly clock?: Clock;
  /** Overrides random ids (request ids, local run ids). */
  readonly ids?: IdGenerator;
  /** Listen on the API and metrics ports (default true); false only builds `app`, for mounting. */
  readonly listen?: boolean;
  /** Collect Node's process metrics (default false: the host process usually does that itself). */
  readonly defaultMetrics?: boolean;
  /**
   * Called once when the running service can no longer receive run events (its event source
   * gave up reconnecting), with the reason. Left out, the service only reports it, through
   * `failure()` and `/livez`; the executable ends the process, so that Kubernetes restarts it.
   */
  readonly onFatal?: (failure: string) => void;
}

/** A provider service built by {@link createProviderService}. */
export interface ProviderService {
  /** The parsed configuration the service runs with. */
  readonly config: ServiceConfig;
  /** Builds the container, starts listening and starts the event pipeline; calling it again waits for the same start. */
  start(): Promise<void>;
  /** Graceful shutdown (stop accepting, drain, close); a no-op before `start`. */
  stop(): Promise<void>;
  /** The Koa application of the API, for mounting into an existing server; available once started. */
  readonly app: Koa;
  /** The bound API port, once started with `listen`. */
  readonly apiPort: number | undefined;
  /** The bound metrics port, once started with `listen`. */
  readonly metricsPort: number | undefined;
  /** `http://host:port` of the API, once started with `listen`. */
  readonly url: string | undefined;
  /** The service's own Prometheus registry and metrics; available once started. */
  readonly metrics: PrometheusMetrics;
  /** True once the provider and the event pipeline are ready (what `/readyz` answers). */
  isReady(): boolean;
  /** Why the service can no longer receive run events (what `/livez` reports), or `undefined` while it can. */
  failure(): string | undefined;
}

const embeddingDefaults: ServiceEnvironment = Object.freeze({ SERVER_HOST: '127.0.0.1', SERVER_PORT: '0', METRICS_PORT: '0' });

function isProviderType(provider: Provider | ProviderType | undefined): provider is ProviderType {
  return typeof provider === 'string';
}

function isServiceConfig(config: ServiceConfig | ServiceEnvironment): config is ServiceConfig {
  return typeof (config as Partial<ServiceConfig>).server === 'object';
}

function resolveConfig(options: ProviderServiceOptions): ServiceConfig {
  const kind = isProviderType(options.provider) ? options.provider : undefined;
  const given = options.config ?? {};
  if (isServiceConfig(given)) {
    if (kind && given.providerType !== kind) {
      throw new TypeError(`provider "${kind}" was asked for but the configuration is for "${given.providerType}"`);
    }
    return given;
  }
  return loadServiceConfig({ ...embeddingDefaults, ...given, ...(kind ? { PROVIDER_TYPE: kind } : {}) });
}

// A custom provider brings its own collaborators; the defaults make the smallest useful service:
// events published into an in-memory source in domain form reach the sink unchanged.
function customProviderModule(provider: Provider, options: ProviderServiceOptions, clock: Clock | undefined): ContainerModule {
  return new ContainerModule((bindings) => {
    bindings.bind(Provider).toConstantValue(provider);
    bindings.bind(RunEventSource).toConstantValue(options.eventSource ?? new InMemoryRunEventSource(clock ? { clock } : {}));
    bindings.bind(RunEventNormaliser).toConstantValue(options.normaliser ?? new LocalRunEventNormaliser());
  });
}

// How often a running service with an `onFatal` callback looks for a failure. A source gives
// up only after minutes of trying, so a second more to notice it does not matter.
const failureCheckIntervalMs = 1000;

/** Calls `onFatal` once the runtime reports a failure; the returned function stops looking. */
function watchForFailure(runtime: ServiceRuntime, onFatal: (failure: string) => void): () => void {
  const timer = setInterval(() => {
    const failure = runtime.failure();
    if (failure === undefined) return;
    clearInterval(timer);
    onFatal(failure);
  }, failureCheckIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

function hostOfUrl(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

async function buildContainer(options: ProviderServiceOptions, config: ServiceConfig): Promise<Container> {
  const container = new Container();
  const core = coreModule({
    config,
    logger: options.logger ?? silentLogger,
    defaultMetrics: options.defaultMetrics ?? false,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.ids ? { ids: options.ids } : {}),
  });
  const provider = options.provider;
  if (provider === undefined || isProviderType(provider)) {
    container.load(core, await providerModuleFor(config));
    // The built-in module's own source and normaliser give way to explicit ones (tests do this).
    if (options.eventSource) container.rebind(RunEventSource).toConstantValue(options.eventSource);
    if (options.normaliser) container.rebind(RunEventNormaliser).toConstantValue(options.normaliser);
  } else {
    container.load(core, customProviderModule(provider, options, options.clock));
  }
  if (options.sink) container.rebind(RunCompletionSink).toConstantValue(options.sink);
  return container;
}

/**
 * Composes a provider service the way the deployed one is composed (the operator's HTTP API,
 * the event pipeline, the webhook sink, metrics) around a provider of the caller's choice, for
 * embedding in another TypeScript tool or for running a custom provider. Configuration errors
 * throw here, before anything starts.
 *
 * @example
 * const service = createProviderService({ provider: myProvider, config: { OPERATORWEBHOOK: url } });
 * await service.start();
 * // … POST `${service.url}/resource/run` …
 * await service.stop();
 */
export function createProviderService(options: ProviderServiceOptions = {}): ProviderService {
  const config = resolveConfig(options);
  let starting: Promise<ServiceRuntime> | undefined;
  let running: ServiceRuntime | undefined;
  let stopping: Promise<void> | undefined;
  let container: Container | undefined;
  let stopWatching: (() => void) | undefined;
  const started = (what: string): ServiceRuntime => {
    if (!running) throw new Error(`${what} is available once the provider service has started`);
    return running;
  };
  const start = async (): Promise<ServiceRuntime> => {
    container = await buildContainer(options, config);
    try {
      const runtime = await container.getAsync<ServiceRuntime>(ServiceRuntimeToken);
      await runtime.start(options.listen ?? true);
      if (options.onFatal) stopWatching = watchForFailure(runtime, options.onFatal);
      return runtime;
    } catch (error) {
      // What was resolved before the failure (clients, channels, timers) is released now.
      await container.unbindAllAsync();
      throw error;
    }
  };
  return {
    config,
    start: async () => {
      if (stopping) throw new Error('the provider service was stopped; create a new one');
      starting ??= start();
      running = await starting;
    },
    stop: () => {
      stopping ??= (async () => {
        if (!starting) return;
        // A start that failed has already released what it took.
        const runtime = await starting.catch(() => undefined);
        if (!runtime) return;
        stopWatching?.();
        await runtime.stop();
        await container?.unbindAllAsync();
      })();
      return stopping;
    },
    get app() {
      return started('app').app;
    },
    get apiPort() {
      return running?.apiPort;
    },
    get metricsPort() {
      return running?.metricsPort;
    },
    get url() {
      return running?.apiPort === undefined ? undefined : `http://${hostOfUrl(config.server.host)}:${running.apiPort}`;
    },
    get metrics() {
      return started('metrics').metrics;
    },
    isReady: () => running?.isReady() ?? false,
    failure: () => running?.failure(),
  };
}
