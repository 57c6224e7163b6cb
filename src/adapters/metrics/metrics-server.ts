import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { listenOn } from '../shared/listen-on.js';

/** A listening `/metrics` endpoint. */
export interface MetricsServer {
  /** The bound port (useful when 0 was asked for). */
  readonly port: number;
  /** Stops listening; a scrape being answered has up to `timeoutMs` to finish. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Serves the registry on its own address and port, as the operator's Deployment expects
 * (`METRICS_PORT`), so scraping never competes with the API for the API port's connections, and a
 * NetworkPolicy can admit Prometheus to this port alone. Scrapes are one short request each, so a
 * request that has not arrived within 10 s is a connection left hanging, and is ended.
 */
export async function startMetricsServer(registry: Registry, host: string, port: number): Promise<MetricsServer> {
  const server: Server = createServer(
    { headersTimeout: 10_000, requestTimeout: 10_000, connectionsCheckingInterval: 1000 },
    (request, response) => {
      if (request.method === 'GET' && request.url?.split('?', 1)[0] === '/metrics') {
        registry
          .metrics()
          .then((body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body))
          .catch((error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)));
        return;
      }
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics');
    },
  );
  return {
    port: await listenOn(server, host, port),
    close: async (timeoutMs = 0) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
      await closed;
      clearTimeout(timer);
    },
  };
}
