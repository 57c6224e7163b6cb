/** What a test sees of an answer. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON; `undefined` when it is not JSON. */
  readonly json: Record<string, unknown> | undefined;
}

/** Options of {@link send}. */
export interface SendOptions {
  /** Sent as JSON with `Content-Type: application/json`, as the operator's curl steps do. */
  readonly json?: unknown;
  /** A raw body; give the content type yourself. */
  readonly body?: string | Buffer;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}

/** Sends one real HTTP request with fetch. `path` is used as written (already percent-encoded). */
export async function send(baseUrl: string, method: string, path: string, options: SendOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Buffer | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  }
  if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
