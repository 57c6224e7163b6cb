import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeNow, listenOnLoopback } from './loopback-http-server.js';

/** One request the receiver got. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as text. */
  readonly text: string;
  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  readonly json: unknown;
}

/**
 * How to answer a request: a status code, `'hang'` (never answer; the client must time out), or
 * `'close'` (destroy the connection without answering).
 */
export type ScriptedAnswer = number | 'hang' | 'close';

/**
 * A real HTTP server on an ephemeral loopback port that stands in for the operator's webhook:
 * it records every request and answers from a script (a fixed answer, or a function of the
 * request number), so tests can make delivery succeed, fail, hang or drop.
 */
export class RecordingWebhookReceiver {
  readonly #server: Server;
  readonly #received: ReceivedRequest[] = [];
  readonly #hanging = new Set<ServerResponse>();
  readonly #listeners = new Set<() => void>();
  #answer: (request: ReceivedRequest, index: number) => ScriptedAnswer = () => 200;
  #url = '';

  constructor() {
    this.#server = createServer((request, response) => {
      // A client that aborts while its body is read is the test's business, not a crash.
      this.#onRequest(request, response).catch(() => response.destroy());
    });
    this.#server.keepAliveTimeout = 1000;
  }

  /** Starts listening on 127.0.0.1 and an ephemeral port. */
  async start(): Promise<this> {
    this.#url = `${await listenOnLoopback(this.#server)}/events`;
    return this;
  }

  /** The URL to configure as `OPERATORWEBHOOK`. */
  get url(): string {
    return this.#url;
  }

  /** Every request so far, in arrival order. */
  get requests(): readonly ReceivedRequest[] {
    return this.#received;
  }

  /** The parsed bodies of every request so far. */
  get events(): unknown[] {
    return this.#received.map((request) => request.json);
  }

  /** Answers every request with `answer`, or with what `answer(request, index)` returns. */
  answerWith(answer: ScriptedAnswer | ((request: ReceivedRequest, index: number) => ScriptedAnswer)): void {
    this.#answer = typeof answer === 'function' ? answer : () => answer;
  }

  /** Resolves once at least `count` requests arrived; rejects after `timeoutMs`. */
  async waitForRequests(count: number, timeoutMs = 10_000): Promise<readonly ReceivedRequest[]> {
    if (this.#received.length >= count) return this.#received;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#listeners.delete(check);
        reject(new Error(`expected ${count} webhook requests within ${timeoutMs} ms, got ${this.#received.length}`));
      }, timeoutMs);
      const check = (): void => {
        if (this.#received.length < count) return;
        clearTimeout(timer);
        this.#listeners.delete(check);
        resolve(this.#received);
      };
      this.#listeners.add(check);
    });
  }

  /** Stops listening and ends every connection, hanging ones included. */
  async stop(): Promise<void> {
    for (const response of this.#hanging) response.destroy();
    this.#hanging.clear();
    await closeNow(this.#server);
  }

  async #onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const received: ReceivedRequest = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, text, json };
    const index = this.#received.length;
    this.#received.push(received);
    const answer = this.#answer(received, index);
    for (const listener of [...this.#listeners]) listener();
    if (answer === 'hang') {
      this.#hanging.add(response);
      response.on('close', () => this.#hanging.delete(response));
      return;
    }
    if (answer === 'close') {
      request.socket.destroy();
      return;
    }
    response.writeHead(answer, { 'content-type': 'text/plain' }).end(answer === 200 ? '' : `status ${answer}`);
  }
}
