import { createHttpApp, type HttpAppOptions } from '../../src/adapters/http/create-http-app.js';
import { type HttpServer, startHttpServer } from '../../src/adapters/http/http-server.js';
import { silentLogger } from '../../src/adapters/logging/silent-logger.js';
import { PrometheusMetrics } from '../../src/adapters/metrics/prometheus-metrics.js';
import type { Provider } from '../../src/ports/provider.js';

/** A real HTTP API on 127.0.0.1 and an ephemeral port. */
export interface RunningApp {
  readonly baseUrl: string;
  readonly metrics: PrometheusMetrics;
  close(): Promise<void>;
}

/** Starts `createHttpApp` with sensible test defaults; override any option. */
export async function startApp(provider: Provider, options: Partial<HttpAppOptions> = {}): Promise<RunningApp> {
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
  const server: HttpServer = await startHttpServer(app, '127.0.0.1', 0);
  return { baseUrl: `http://127.0.0.1:${server.port}`, metrics, close: () => server.close(100) };
}
