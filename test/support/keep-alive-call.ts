import { type Agent, request as httpRequest } from 'node:http';

/** How one request on a (keep-alive) agent ended: its status and `Connection` header, or the socket error. */
export interface CallOutcome {
  readonly status?: number;
  readonly connection?: string;
  readonly error?: string;
}

/** GET `path`, or POST `body` as JSON, through `agent`; never rejects, so resets are counted, not thrown. */
export function keepAliveCall(base: string, agent: Agent, path: string, body?: string): Promise<CallOutcome> {
  return new Promise((resolve) => {
    const outgoing = httpRequest(
      `${base}${path}`,
      { method: body ? 'POST' : 'GET', agent, headers: body ? { 'content-type': 'application/json' } : {} },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, connection: String(response.headers.connection) }));
      },
    );
    outgoing.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    outgoing.end(body);
  });
}
