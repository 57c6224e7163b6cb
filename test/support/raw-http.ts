import { request } from 'node:http';

/** An answer as node:http received it: status, headers as sent (lower-cased names) and body text. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * One request to 127.0.0.1:`port` with node:http alone, without fetch: for tests that must not
 * load Node's undici, or that compare headers exactly. A `json` body is sent as application/json.
 */
export function rawRequest(port: number, method: string, path: string, json?: unknown): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const body = json === undefined ? undefined : JSON.stringify(json);
    const outgoing = request(
      { host: '127.0.0.1', port, method, path, headers: body === undefined ? {} : { 'content-type': 'application/json' } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const headers = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, String(value)]));
          resolve({ status: response.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
