/**
 * The numeric status a backend's SDK put on an error it threw, read inwards: `code` (gRPC status
 * from google-gax, HTTP status from the GCS client and client-node's API errors) or else
 * `statusCode` (client-node's watch). `undefined` when there is none, e.g. for a string `code`
 * such as `ECONNREFUSED`.
 */
export function backendErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  return typeof statusCode === 'number' ? statusCode : undefined;
}
