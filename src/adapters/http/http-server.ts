import { Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type Koa from 'koa';
import { listenOn } from '../shared/listen-on.js';
import { OpenConnections } from './open-connections.js';

/** Where the API listens, how many connections it keeps and how long it waits on each. */
export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  /** Most open connections; at the limit the longest-idle one gives way, or the new one is refused. */
  readonly connectionLimit: number;
  /** How long an idle keep-alive connection is kept. */
  readonly keepAliveTimeoutMs: number;
  /** How long a request's headers may take to arrive; then 408 and the connection is closed. */
  readonly headersTimeoutMs: number;
  /** How long a whole request may take to arrive; then 408 and the connection is closed. */
  readonly requestTimeoutMs: number;
}

/** A listening API server. */
export interface HttpServer {
  /** The bound port (useful when 0 was asked for). */
  readonly port: number;
  /**
   * Starts letting clients go: from now on every answer carries `Connection: close`, and idle
   * connections are closed once quiet. The port stays open until {@link close}.
   */
  drain(): void;
  /**
   * Drains, stops accepting connections, lets in-flight requests finish for up to `timeoutMs`,
   * then closes whatever is left.
   */
  close(timeoutMs: number): Promise<void>;
}

// How long an idle connection must have been quiet before draining closes it. A client in a
// conversation sends its next request within milliseconds; after a second of silence it is not
// about to, so closing then does not cut off a request on its way.
const drainQuietMs = 1000;

// Node's close() would first close every idle keep-alive connection at once, resetting a client
// whose next request is already on its way; the drain closes them once they are quiet instead.
class DrainingServer extends Server {
  override closeIdleConnections(): void {
    // left to OpenConnections
  }
}

/** Starts `app` with `options`. */
export async function startHttpServer(app: Koa, options: HttpServerOptions): Promise<HttpServer> {
  const handle = app.callback();
  const connections = new OpenConnections(options.connectionLimit, drainQuietMs);
  const headersTimeout = Math.min(options.headersTimeoutMs, options.requestTimeoutMs);
  const server = new DrainingServer(
    {
      keepAliveTimeout: options.keepAliveTimeoutMs,
      headersTimeout,
      requestTimeout: options.requestTimeoutMs,
      // Node checks the two timeouts every 30 s by default, far too coarse for a 10 s limit.
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
    },
    (request, response) => {
      connections.answering(request, response);
      // Koa's handler answers its own failures (through the app's error handling), so the
      // promise it returns never rejects and is not awaited.
      void handle(request, response);
    },
  );
  server.on('connection', (socket) => connections.admit(socket));
  server.on('clientError', answerClientError);
  const port = await listenOn(server, options.host, options.port);
  return {
    port,
    drain: () => connections.drain(),
    close: async (timeoutMs) => {
      connections.drain();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

const clientErrorStatus: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

// Requests Node refuses before they reach the app (a malformed request line, headers over the
// size limit, headers or a body too slow to arrive) would otherwise get an empty body; the
// operator's steps read providerError.
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = clientErrorStatus[error.code ?? ''] ?? 400;
  const body = JSON.stringify({
    providerError: status === 408 ? `request timeout: ${error.message}` : `malformed request: ${error.message}`,
  });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
