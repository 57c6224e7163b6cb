import { kfpErrorMessage } from '../../domain/kfp/kfp-error-message.js';
import { KfpHttpError } from './kfp-http-error.js';

/** Options of {@link KfpRestTransport}. */
export interface KfpRestTransportOptions {
  /** `restKfpApiUrl`; may carry a path prefix. */
  readonly baseUrl: string;
  /** Supplies the bearer token in multi-user mode; absent in single-user mode. */
  readonly token?: () => Promise<string>;
  /** Timeout of one JSON request (`BACKEND_TIMEOUT_MS`, default 30 s). */
  readonly timeoutMs?: number;
  /** Timeout of one upload; left out, four times `timeoutMs`, since compiled pipelines can be several MB. */
  readonly uploadTimeoutMs?: number;
}

/** Query parameters; `undefined` values are left out. */
export type KfpQuery = Readonly<Record<string, string | undefined>>;

const defaults = Object.freeze({ timeoutMs: 30_000, uploadTimeoutFactor: 4 });

/**
 * HTTP to the KFP v2beta1 REST API with the platform's `fetch`: URL composition under
 * `/apis/v2beta1`, the bearer header, timeouts, and failures turned into {@link KfpHttpError}s
 * whose message carries KFP's own error text.
 */
export class KfpRestTransport {
  readonly #base: string;
  readonly #token: (() => Promise<string>) | undefined;
  readonly #timeoutMs: number;
  readonly #uploadTimeoutMs: number;

  constructor(options: KfpRestTransportOptions) {
    this.#base = `${options.baseUrl.replace(/\/$/, '')}/apis/v2beta1`;
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
    this.#uploadTimeoutMs = options.uploadTimeoutMs ?? this.#timeoutMs * defaults.uploadTimeoutFactor;
  }

  /** Sends a JSON request (or none, for GET and DELETE) and resolves to the parsed JSON answer. */
  async json(method: 'GET' | 'POST' | 'DELETE', path: string, options: { query?: KfpQuery; body?: unknown } = {}): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return this.#send(
      method,
      path,
      options.query,
      {
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      },
      this.#timeoutMs,
    );
  }

  /** Uploads `content` as the multipart file part `uploadfile` named `resource.yaml` (JSON is YAML). */
  async upload(path: string, query: KfpQuery, content: string): Promise<unknown> {
    const form = new FormData();
    form.append('uploadfile', new Blob([content], { type: 'application/json' }), 'resource.yaml');
    return this.#send('POST', path, query, { headers: { accept: 'application/json' }, body: form }, this.#uploadTimeoutMs);
  }

  async #send(
    method: string,
    path: string,
    query: KfpQuery | undefined,
    init: { headers: Record<string, string>; body?: string | FormData },
    timeoutMs: number,
  ): Promise<unknown> {
    const url = new URL(this.#base + path);
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    const what = `KFP ${method} ${url.pathname}`;
    const headers = { ...init.headers };
    if (this.#token) headers['authorization'] = `Bearer ${await this.#token()}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(init.body !== undefined ? { body: init.body } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      const reason = timedOut ? `no answer within ${timeoutMs} ms` : describeNetworkError(error);
      throw new KfpHttpError(`${what} failed: ${reason}`, undefined, { cause: error });
    }
    if (!response.ok) {
      const detail = kfpErrorMessage(text) || response.statusText;
      throw new KfpHttpError(`${what} failed with HTTP ${response.status}: ${detail}`, response.status);
    }
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new KfpHttpError(`${what} answered HTTP ${response.status} with a body that is not JSON`, response.status, { cause: error });
    }
  }
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message;
  return detail ? `${(error as Error).message} (${detail})` : (error as Error).message;
}
