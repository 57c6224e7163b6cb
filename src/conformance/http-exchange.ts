import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** A request of the conformance suite, as it goes on the wire. */
export interface ConformanceRequest {
  readonly method: string;
  /** The path exactly as sent, percent escapes included; it is appended to the base URL's own path. */
  readonly path: string;
  readonly contentType?: string;
  readonly body?: Buffer;
}

/** What the service answered. */
export interface ConformanceAnswer {
  readonly status: number;
  /** The `Content-Type` header, when there was one. */
  readonly contentType: string | undefined;
  /** The body as text (its first MiB). */
  readonly text: string;
  /** Whether {@link text} parses as JSON. */
  readonly isJson: boolean;
  /** The parsed body when {@link isJson}; `undefined` otherwise. */
  readonly json: unknown;
}

/** One request and its answer, or why there was none. */
export interface Exchange {
  readonly request: ConformanceRequest;
  readonly answer?: ConformanceAnswer;
  /** Set when no answer came: refused connection, reset, timeout. */
  readonly failure?: string;
}

// A misbehaving server may stream anything back; a MiB is far more than any contract answer.
const maxAnswerBytes = 1024 * 1024;

// A server that refuses a large body by its Content-Length answers and closes the connection;
// data still arriving then makes its kernel reset the connection, and a reset discards the
// answer the client has not read yet. So a large body waits briefly after the headers: a
// refusal arrives before any of it is sent, and a server that reads bodies gets it after.
const largeBodyBytes = 1024 * 1024;
const earlyAnswerWaitMs = 250;

function answerOf(response: IncomingMessage, chunks: readonly Buffer[]): ConformanceAnswer {
  const text = Buffer.concat(chunks).toString('utf8');
  let json: unknown;
  let isJson = true;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    isJson = false;
  }
  return { status: response.statusCode ?? 0, contentType: response.headers['content-type'], text, isJson, json };
}

// The base URL's path is a prefix (a service mounted under `/provider`); the request's path is
// joined to it as raw text, because `new URL` would normalise the escapes under test.
function targetPath(base: URL, path: string): string {
  return `${base.pathname.replace(/\/+$/, '')}${path}`;
}

/**
 * Sends one request with `node:http` (or `node:https`) on a fresh connection and waits for the
 * whole answer. It never throws: a missing answer is an {@link Exchange} with a `failure`. A
 * server may answer before it has read the body (413); the answer counts and the upload stops.
 */
export function sendExchange(base: URL, request: ConformanceRequest, timeoutMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (request.contentType !== undefined) headers['content-type'] = request.contentType;
    if (request.body !== undefined) headers['content-length'] = request.body.length;
    const send = base.protocol === 'https:' ? httpsRequest : httpRequest;
    let answered = false;
    const outgoing = send({
      protocol: base.protocol,
      hostname: base.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: base.port || undefined,
      method: request.method,
      path: targetPath(base, request.path),
      headers,
      agent: false,
    });
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', (error) => {
      if (!answered) resolve({ request, failure: error.message || String(error) });
    });
    outgoing.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        if (size < maxAnswerBytes) chunks.push(chunk.subarray(0, maxAnswerBytes - size));
        size += chunk.length;
      });
      response.on('error', () => undefined);
      // 'close' follows 'end' and also an answer cut short: what arrived is the answer.
      response.on('close', () => {
        outgoing.destroy();
        resolve({ request, answer: answerOf(response, chunks) });
      });
    });
    if (request.body === undefined || request.body.length < largeBodyBytes) {
      outgoing.end(request.body);
    } else {
      outgoing.flushHeaders();
      const sendBody = setTimeout(() => outgoing.end(request.body), earlyAnswerWaitMs);
      for (const settled of ['response', 'close']) outgoing.once(settled, () => clearTimeout(sendBody));
    }
  });
}
