import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CRC32C } from '@google-cloud/storage';
import { closeNow, listenOnLoopback } from '../../src/testing/loopback-http-server.js';

/** One request the fake received. */
export interface ReceivedGcsRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
}

/**
 * A GCS JSON API server on 127.0.0.1 with an in-memory bucket map, answering the calls the real
 * storage client makes: multipart and resumable uploads, media downloads, listing by prefix and
 * object deletion. Objects are keyed `bucket/object`. `failWith` makes every call answer a status;
 * `hang` makes it accept every request and never answer, as a storage endpoint that is stuck.
 */
export class FakeGcsServer {
  readonly objects = new Map<string, Buffer>();
  readonly requests: ReceivedGcsRequest[] = [];
  /** When set, every request is answered with this status and a JSON error. */
  failWith: number | undefined;
  /** Requests to record and never answer (until {@link stop} cuts them): all when true, or those it picks. */
  hang: boolean | ((request: ReceivedGcsRequest) => boolean) = false;
  readonly #server: Server;
  readonly #sessions = new Map<string, string>();
  #url = '';

  constructor() {
    this.#server = createServer((request, response) => void this.#route(request, response));
  }

  /** Starts on an ephemeral port. */
  async start(): Promise<this> {
    this.#url = await listenOnLoopback(this.#server);
    return this;
  }

  /** The base URL to configure as the GCS endpoint. */
  get url(): string {
    return this.#url;
  }

  /** The text stored at `bucket/object`, or undefined. */
  text(bucket: string, object: string): string | undefined {
    return this.objects.get(`${bucket}/${object}`)?.toString('utf8');
  }

  /** Stops and ends every connection. */
  async stop(): Promise<void> {
    await closeNow(this.#server);
  }

  async #route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const received = { method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization };
    if (this.hang === true || (typeof this.hang === 'function' && this.hang(received))) {
      this.requests.push(received);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = request.method ?? '';
    const url = new URL(request.url ?? '/', this.#url);
    this.requests.push({ method, url: url.pathname + url.search, authorization: request.headers.authorization });
    if (this.failWith !== undefined) return error(response, this.failWith, `injected ${this.failWith}`);
    const path = url.pathname.replace(/^\/storage\/v1/, '');
    const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    const object = /^\/b\/([^/]+)\/o\/(.+)$/.exec(path);
    const list = /^\/b\/([^/]+)\/o$/.exec(path);
    if (upload && method === 'POST') return this.#upload(upload[1]!, url, request, body, response);
    if (url.pathname.startsWith('/session/') && method === 'PUT') {
      const key = this.#sessions.get(url.pathname);
      if (!key) return error(response, 404, 'no such upload session');
      return this.#stored(key, body, response);
    }
    if (object) {
      const key = `${object[1]!}/${decodeURIComponent(object[2]!)}`;
      const stored = this.objects.get(key);
      if (method === 'GET' && url.searchParams.get('alt') === 'media') {
        if (!stored) return error(response, 404, `No such object: ${key}`);
        response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(stored);
        return;
      }
      if (method === 'DELETE') {
        if (!stored) return error(response, 404, `No such object: ${key}`);
        this.objects.delete(key);
        response.writeHead(204).end();
        return;
      }
    }
    if (list && method === 'GET') {
      const prefix = `${list[1]!}/${url.searchParams.get('prefix') ?? ''}`;
      const items = [...this.objects.keys()]
        .filter((key) => key.startsWith(prefix))
        .map((key) => ({ name: key.slice(list[1]!.length + 1), bucket: list[1] }));
      return json(response, 200, { kind: 'storage#objects', items });
    }
    return error(response, 404, `unexpected ${method} ${url.pathname}`);
  }

  #upload(bucket: string, url: URL, request: IncomingMessage, body: Buffer, response: ServerResponse): void {
    const name = url.searchParams.get('name') ?? '';
    if (url.searchParams.get('uploadType') === 'resumable') {
      const session = `/session/${this.#sessions.size + 1}`;
      this.#sessions.set(session, `${bucket}/${name}`);
      response.writeHead(200, { location: `${this.#url}${session}` }).end();
      return;
    }
    const boundary = /boundary=([^;]+)/.exec(request.headers['content-type'] ?? '')?.[1]?.replace(/"/g, '');
    if (!boundary) return error(response, 400, 'multipart upload without boundary');
    const parts = splitMultipart(body, boundary);
    const metadata = JSON.parse(parts[0]?.toString('utf8') ?? '{}') as { name?: string };
    this.#stored(`${bucket}/${name || metadata.name || ''}`, parts[1] ?? Buffer.alloc(0), response);
  }

  #stored(key: string, data: Buffer, response: ServerResponse): void {
    this.objects.set(key, data);
    const crc = new CRC32C();
    crc.update(data);
    const slash = key.indexOf('/');
    json(response, 200, { name: key.slice(slash + 1), bucket: key.slice(0, slash), size: String(data.length), crc32c: crc.toString() });
  }
}

function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) parts.push(part.subarray(headerEnd + 4, part.length - 2));
    start = next;
  }
  return parts;
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function error(response: ServerResponse, status: number, message: string): void {
  json(response, status, { error: { code: status, message, errors: [{ reason: status === 404 ? 'notFound' : 'failed', message }] } });
}
