import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { listenOn } from '../shared/listen-on.js';

/** A listening `/metrics` endpoint. */
export interface MetricsServer {
  /** The bound port (useful when 0 was asked for). */
  readonly port: number;
  /** Stops listening. */
  close(): Promise<void>;
}

/**
 * Serves the registry on its own port, as the operator's Deployment expects (`METRICS_PORT`),
 * so scraping never competes with the API for the API port's connections.
 */
export async function startMetricsServer(registry: Registry, host: string, port: number): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    if (request.method === 'GET' && request.url?.split('?', 1)[0] === '/metrics') {
      registry
        .metrics()
        .then((body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body))
        .catch((error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)));
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics are at /metrics');
  });
  return {
    port: await listenOn(server, host, port),
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
