import { readFileSync } from 'node:fs';
import type Koa from 'koa';
import { createHttpApp } from '../adapters/http/create-http-app.js';
import { type HttpServer, startHttpServer } from '../adapters/http/http-server.js';
import { type MetricsServer, startMetricsServer } from '../adapters/metrics/metrics-server.js';
import type { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics.js';
import type { EventPipeline } from '../application/event-pipeline.js';
import type { ServiceConfig } from '../config/service-config.js';
import type { HttpRouteContribution } from '../ports/http-route-contribution.js';
import type { IdGenerator } from '../ports/id-generator.js';
import type { Logger } from '../ports/logger.js';
import type { Provider } from '../ports/provider.js';

/** What a {@link ServiceRuntime} is made of; the container resolves them. */
export interface ServiceRuntimeParts {
  readonly config: ServiceConfig;
  readonly logger: Logger;
  readonly ids: IdGenerator;
  readonly provider: Provider;
  readonly pipeline: EventPipeline;
  readonly metrics: PrometheusMetrics;
  readonly contributions: readonly HttpRouteContribution[];
}

// The document ships in the package's docs/ folder; this module sits one or two levels below
// the package root depending on whether it runs from src/, dist/ or the bundled dist/main.js.
function readOpenApiDocument(): string | undefined {
  for (const candidate of ['../docs/openapi.yaml', '../../docs/openapi.yaml']) {
    try {
      return readFileSync(new URL(candidate, import.meta.url), 'utf8');
    } catch {
      // try the next level up
    }
  }
  return undefined;
}

/**
 * The provider service as one object: the HTTP API over the provider, the metrics endpoint and
 * the event pipeline, with their order of start and stop. `start` opens the API and metrics
 * first (so liveness answers while the event source connects), then the pipeline; `/readyz`
 * turns 200 once the pipeline's source is connected and 503 again as soon as `stop` begins.
 */
export class ServiceRuntime {
  /** The Koa application serving the API, for mounting into another server. */
  readonly app: Koa;
  readonly #parts: ServiceRuntimeParts;
  #http: HttpServer | undefined;
  #metricsServer: MetricsServer | undefined;
  #draining = false;
  #stopping: Promise<void> | undefined;

  constructor(parts: ServiceRuntimeParts) {
    this.#parts = parts;
    const { pipeline } = parts;
    const openApiDocument = readOpenApiDocument();
    this.app = createHttpApp({
      provider: parts.provider,
      logger: parts.logger.child({ component: 'http' }),
      ids: parts.ids,
      bodyLimitBytes: parts.config.bodyLimitBytes,
      bodyLimitValues: parts.config.bodyLimitValues,
      bodyLimitDepth: parts.config.bodyLimitDepth,
      readiness: () => {
        if (this.#draining) return { healthy: false, reason: 'shutting down' };
        return pipeline.isReady() ? { healthy: true } : { healthy: false, reason: pipeline.failure() ?? 'run event source not connected' };
      },
      liveness: () => {
        const failure = pipeline.failure();
        return failure === undefined ? { healthy: true } : { healthy: false, reason: failure };
      },
      metrics: parts.metrics,
      contributions: parts.contributions,
      ...(openApiDocument !== undefined ? { openApiDocument } : {}),
    });
  }

  /** The Prometheus metrics of this service. */
  get metrics(): PrometheusMetrics {
    return this.#parts.metrics;
  }

  /** The bound API port, once started with `listen`. */
  get apiPort(): number | undefined {
    return this.#http?.port;
  }

  /** The bound metrics port, once started with `listen`. */
  get metricsPort(): number | undefined {
    return this.#metricsServer?.port;
  }

  /** True once the event pipeline is ready and until stop begins (what `/readyz` answers). */
  isReady(): boolean {
    return this.#parts.pipeline.isReady() && !this.#draining;
  }

  /** Why the service can no longer receive run events (what `/livez` reports), or `undefined`. */
  failure(): string | undefined {
    return this.#parts.pipeline.failure();
  }

  /**
   * Listens on the configured API and metrics ports (unless `listen` is false, for an app that
   * is mounted elsewhere), then starts the event pipeline. A failure closes what was opened.
   */
  async start(listen: boolean): Promise<void> {
    const { config } = this.#parts;
    try {
      if (listen) {
        const { connections } = config;
        this.#http = await startHttpServer(this.app, {
          ...config.server,
          connectionLimit: connections.limit,
          keepAliveTimeoutMs: connections.keepAliveTimeoutMs,
          headersTimeoutMs: connections.headersTimeoutMs,
          requestTimeoutMs: connections.requestTimeoutMs,
        });
        this.#metricsServer = await startMetricsServer(this.#parts.metrics.registry, config.metricsHost, config.metricsPort);
      }
      await this.#parts.pipeline.start();
    } catch (error) {
      await this.#closeServers(0);
      throw error;
    }
  }

  /**
   * Graceful shutdown, in the order that lets every client go without a reset: at once `/readyz`
   * answers 503 and the API starts draining (every answer carries `Connection: close`, idle
   * keep-alive connections are closed once quiet), while the port stays open for `shutdownDelayMs`
   * so that connections Kubernetes still routes here before it has removed the pod from its
   * Service are served; then the port closes (new connections are refused) and in-flight requests
   * and event deliveries finish within `shutdownTimeoutMs`.
   */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#draining = true;
      this.#http?.drain();
      const { config, pipeline } = this.#parts;
      if (config.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
      await Promise.all([this.#closeServers(config.shutdownTimeoutMs), pipeline.stop(config.shutdownTimeoutMs)]);
    })();
    return this.#stopping;
  }

  async #closeServers(budgetMs: number): Promise<void> {
    await Promise.all([this.#http?.close(budgetMs), this.#metricsServer?.close(budgetMs)]);
  }
}

/** Injection token of the {@link ServiceRuntime}: the one object the composition resolves. */
export const ServiceRuntimeToken = Symbol.for('kfp-provider-service.ServiceRuntime');
