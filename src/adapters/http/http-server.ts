import { createServer, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type Koa from 'koa';
import { listenOn } from '../shared/listen-on.js';

/** A listening API server. */
export interface HttpServer {
  /** The bound port (useful when 0 was asked for). */
  readonly port: number;
  /**
   * Stops accepting connections, lets in-flight requests finish for up to `timeoutMs`, then
   * closes whatever is left.
   */
  close(timeoutMs: number): Promise<void>;
}

/** Starts `app` on `host:port`. */
export async function startHttpServer(app: Koa, host: string, port: number): Promise<HttpServer> {
  const handle = app.callback();
  // Koa's handler answers its own failures (through the app's error handling), so the promise it
  // returns never rejects and is not awaited.
  const server: Server = createServer((request, response) => void handle(request, response));
  // Kubernetes probes and curl steps open short connections; a keep-alive longer than a
  // typical load balancer's idle timeout avoids resets on reused connections.
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerClientError);
  return {
    port: await listenOn(server, host, port),
    close: async (timeoutMs) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

// Requests Node refuses before they reach the app (a malformed request line, headers over the
// size limit) would otherwise get an empty body; the operator's steps read providerError.
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = JSON.stringify({ providerError: `malformed request: ${error.message}` });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
