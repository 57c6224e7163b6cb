/** How to reach Vertex AI: a gRPC host and port, and whether the channel is plaintext. */
export interface VertexEndpoint {
  readonly host: string;
  readonly port: number;
  /** `http://` endpoints (local fakes) use plaintext gRPC and no credentials at all. */
  readonly plaintext: boolean;
}

/**
 * Reads the `vaiEndpoint` setting: `http://host:port` means plaintext without credentials;
 * anything else is `host[:port]` (port 443 by default) with Application Default Credentials.
 */
export function parseVertexEndpoint(endpoint: string): VertexEndpoint {
  const plaintext = endpoint.startsWith('http://');
  const address = (plaintext ? endpoint.slice('http://'.length) : endpoint.replace(/^https:\/\//, '')).replace(/\/+$/, '');
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(address);
  if (!match || !match[1]) throw new Error(`Vertex AI endpoint "${endpoint}" must be host[:port] or http://host:port`);
  const port = match[2] ? Number(match[2]) : plaintext ? 80 : 443;
  return { host: match[1], port, plaintext };
}

/**
 * The GCS JSON API base the Node client wants: scheme, host and port only. Go clients are given
 * the base with `/storage/v1/`, and an endpoint without a scheme would be taken as https.
 */
export function normaliseGcsEndpoint(endpoint: string): string {
  const withScheme = /^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`;
  return withScheme.replace(/\/+$/, '').replace(/\/storage\/v1$/, '');
}
