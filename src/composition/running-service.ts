import { readFileSync } from 'node:fs';
import type { Container } from 'inversify';
import type Koa from 'koa';
import type { EventPipeline } from '../application/event-pipeline.js';
import { ServiceConfig, type ServiceConfig as ServiceConfigType } from '../config/service-config.js';
import { createHttpApp } from '../adapters/http/create-http-app.js';
import { type HttpServer, startHttpServer } from '../adapters/http/http-server.js';
import { type MetricsServer, startMetricsServer } from '../adapters/metrics/metrics-server.js';
import type { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics.js';
import { HttpRouteContribution } from '../ports/http-route-contribution.js';
import { IdGenerator } from '../ports/id-generator.js';
import { Logger } from '../ports/logger.js';
import { Provider } from '../ports/provider.js';
import { EventPipelineToken, PrometheusMetricsToken } from './core-module.js';

/** A started provider service. */
export interface RunningService {
  /** The Koa application serving the API, for mounting into another server. */
  readonly app: Koa;
  /** The API port, when the service listens itself. */
  readonly apiPort?: number;
  /** The metrics port, when the service listens itself. */
  readonly metricsPort?: number;
  /** The Prometheus metrics of this service. */
  readonly metrics: PrometheusMetrics;
  /** True once the provider and the event pipeline are ready. */
  isReady(): boolean;
  /** Graceful shutdown within the configured budget: stop accepting, drain, close. */
  stop(): Promise<void>;
}

/** How {@link startService} runs. */
export interface StartServiceOptions {
  /** Listen on the configured API and metrics ports (default true); false only builds the app. */
  readonly listen?: boolean;
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
 * Resolves a loaded container into a running service: HTTP API and metrics first (so liveness
 * answers while the event source connects), then the event pipeline; `/readyz` turns 200 once
 * the pipeline's source is connected.
 */
export async function startService(container: Container, options: StartServiceOptions = {}): Promise<RunningService> {
  const config = container.get<ServiceConfigType>(ServiceConfig);
  const logger = container.get<Logger>(Logger);
  const provider = await container.getAsync<Provider>(Provider);
  const pipeline = await container.getAsync<EventPipeline>(EventPipelineToken);
  const metrics = container.get<PrometheusMetrics>(PrometheusMetricsToken);
  const contributions = (await container.getAllAsync<HttpRouteContribution>(HttpRouteContribution, { optional: true })) ?? [];
  const openApiDocument = readOpenApiDocument();
  // Set once stop begins: /readyz answers 503 from then on, while the port still serves.
  let draining = false;
  const app = createHttpApp({
    provider,
    logger: logger.child({ component: 'http' }),
    ids: container.get<IdGenerator>(IdGenerator),
    bodyLimitBytes: config.bodyLimitBytes,
    readiness: () => {
      if (draining) return { healthy: false, reason: 'shutting down' };
      return pipeline.isReady() ? { healthy: true } : { healthy: false, reason: pipeline.failure() ?? 'run event source not connected' };
    },
    liveness: () => {
      const failure = pipeline.failure();
      return failure === undefined ? { healthy: true } : { healthy: false, reason: failure };
    },
    metrics,
    contributions,
    ...(openApiDocument !== undefined ? { openApiDocument } : {}),
  });

  let http: HttpServer | undefined;
  let metricsServer: MetricsServer | undefined;
  const closeServers = async (budgetMs: number): Promise<void> => {
    await Promise.all([http?.close(budgetMs), metricsServer?.close()]);
  };
  try {
    if (options.listen ?? true) {
      http = await startHttpServer(app, config.server.host, config.server.port);
      metricsServer = await startMetricsServer(metrics.registry, config.server.host, config.metricsPort);
    }
    await pipeline.start();
  } catch (error) {
    await closeServers(0);
    await container.unbindAllAsync();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    app,
    ...(http ? { apiPort: http.port } : {}),
    ...(metricsServer ? { metricsPort: metricsServer.port } : {}),
    metrics,
    isReady: () => pipeline.isReady() && !draining,
    stop: () => {
      stopping ??= (async () => {
        draining = true;
        if (config.shutdownDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDelayMs));
        const budget = config.shutdownTimeoutMs;
        await Promise.all([closeServers(budget), pipeline.stop(budget)]);
        await container.unbindAllAsync();
      })();
      return stopping;
    },
  };
}
