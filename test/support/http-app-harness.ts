import { createHttpApp, type HttpAppOptions } from '../../src/adapters/http/create-http-app.js';
import { type HttpServer, type HttpServerOptions, startHttpServer } from '../../src/adapters/http/http-server.js';
import { silentLogger } from '../../src/adapters/logging/silent-logger.js';
import { PrometheusMetrics } from '../../src/adapters/metrics/prometheus-metrics.js';
import { configDefaults } from '../../src/config/config-defaults.js';
import type { Provider } from '../../src/ports/provider.js';

/** A real HTTP API on 127.0.0.1 and an ephemeral port. */
export interface RunningApp {
  readonly baseUrl: string;
  readonly metrics: PrometheusMetrics;
  /** The listening server, to drain it as shutdown does. */
  readonly server: HttpServer;
  close(): Promise<void>;
}

/** Starts `createHttpApp` with sensible test defaults; override any option. */
export async function startApp(
  provider: Provider,
  options: Partial<HttpAppOptions> = {},
  server: Partial<Omit<HttpServerOptions, 'host' | 'port'>> = {},
): Promise<RunningApp> {
  const serverOptions = {
    connectionLimit: configDefaults.httpConnectionLimit,
    keepAliveTimeoutMs: configDefaults.httpKeepAliveTimeoutMs,
    headersTimeoutMs: configDefaults.httpHeadersTimeoutMs,
    requestTimeoutMs: configDefaults.httpRequestTimeoutMs,
    ...server,
  };
  const metrics = new PrometheusMetrics({ defaultMetrics: false });
  let sequence = 0;
  const app = createHttpApp({
    provider,
    logger: silentLogger,
    ids: { next: () => `req-${++sequence}` },
    bodyLimitBytes: 32 * 1024 * 1024,
    readiness: () => ({ healthy: true }),
    metrics,
    ...options,
  });
  const listening: HttpServer = await startHttpServer(app, { host: '127.0.0.1', port: 0, ...serverOptions });
  return { baseUrl: `http://127.0.0.1:${listening.port}`, metrics, server: listening, close: () => listening.close(100) };
}
