import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

interface Connection {
  readonly socket: Socket;
  /** Requests being answered on it. */
  active: number;
  /** When it last became idle (its last answer, or its opening). */
  idleSince: number;
  quietTimer?: NodeJS.Timeout;
}

/**
 * The API server's connections, kept within a limit and let go gently on shutdown.
 *
 * At the limit a new connection takes the place of the longest-idle one (a connection with no
 * request being answered: a spent keep-alive connection, or one still trickling its headers), so a
 * flood of idle connections never locks out the next request; only when every connection is
 * busy is the new one refused. Once draining, every answer closes its connection, and an idle
 * connection is closed after it has been quiet for `quietMs`: a client in the middle of a
 * conversation sends sooner than that and gets its answer; closing a connection the moment its
 * answer went out would reset the request its client is already sending.
 */
export class OpenConnections {
  readonly #limit: number;
  readonly #quietMs: number;
  readonly #connections = new Map<Socket, Connection>();
  readonly #answering = new Set<ServerResponse>();
  #draining = false;

  constructor(limit: number, quietMs: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive whole number');
    this.#limit = limit;
    this.#quietMs = quietMs;
  }

  /** Connections open now. */
  get size(): number {
    return this.#connections.size;
  }

  /** Takes a new connection in, making room for it or refusing it at the limit. */
  admit(socket: Socket): void {
    const connection: Connection = { socket, active: 0, idleSince: Date.now() };
    this.#connections.set(socket, connection);
    socket.once('close', () => {
      clearTimeout(connection.quietTimer);
      this.#connections.delete(socket);
    });
    if (this.#draining) this.#closeWhenQuiet(connection);
    if (this.#connections.size <= this.#limit) return;
    const idle = this.#longestIdle(socket);
    (idle ?? connection).socket.destroy();
  }

  /** Notes a request being answered on its connection; call before the answer is written. */
  answering(request: IncomingMessage, response: ServerResponse): void {
    const connection = this.#connections.get(request.socket);
    if (this.#draining) response.shouldKeepAlive = false;
    this.#answering.add(response);
    if (connection) {
      connection.active += 1;
      clearTimeout(connection.quietTimer);
    }
    response.once('close', () => {
      this.#answering.delete(response);
      if (!connection) return;
      connection.active -= 1;
      connection.idleSince = Date.now();
      // An answer sent just before draining began kept its connection open.
      if (this.#draining && connection.active === 0) this.#closeWhenQuiet(connection);
    });
  }

  /**
   * From now on every answer closes its connection (`Connection: close`), answers already being
   * prepared included, and idle connections are closed once quiet.
   */
  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    for (const response of this.#answering) {
      if (!response.headersSent) response.shouldKeepAlive = false;
    }
    for (const connection of this.#connections.values()) {
      if (connection.active === 0) this.#closeWhenQuiet(connection);
    }
  }

  #closeWhenQuiet(connection: Connection): void {
    const wait = Math.max(0, connection.idleSince + this.#quietMs - Date.now());
    connection.quietTimer = setTimeout(() => {
      if (connection.active === 0) connection.socket.destroy();
    }, wait);
  }

  #longestIdle(except: Socket): Connection | undefined {
    let found: Connection | undefined;
    for (const connection of this.#connections.values()) {
      if (connection.active > 0 || connection.socket === except) continue;
      if (!found || connection.idleSince < found.idleSince) found = connection;
    }
    return found;
  }
}
