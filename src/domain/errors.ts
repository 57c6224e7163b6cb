/**
 * The provider error taxonomy. Every resource operation failure is one of these four kinds; the
 * HTTP edge maps each kind to one status code, so the domain never speaks in status codes.
 */
export const providerErrorKinds = ['invalid-input', 'not-found', 'not-implemented', 'backend-failure'] as const;

/** One of {@link providerErrorKinds}. */
export type ProviderErrorKind = (typeof providerErrorKinds)[number];

/** Base class of the taxonomy: a message fit for the operator's `providerError` plus a kind. */
export abstract class ProviderError extends Error {
  /** Which kind of failure this is; decides the HTTP status. */
  abstract readonly kind: ProviderErrorKind;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The caller sent something unusable: a malformed body, an empty name, a bad cron (HTTP 400). */
export class InvalidInputError extends ProviderError {
  readonly kind = 'invalid-input';
}

/** The named resource or route does not exist (HTTP 404). */
export class NotFoundError extends ProviderError {
  readonly kind = 'not-found';
}

/** The provider does not offer this operation, e.g. updating a run (HTTP 501). */
export class NotImplementedError extends ProviderError {
  readonly kind = 'not-implemented';
}

/** The backend (Vertex AI, Kubeflow, storage…) failed; the message says what and why (HTTP 500). */
export class BackendError extends ProviderError {
  readonly kind = 'backend-failure';
}

/**
 * Narrows an unknown thrown value to the taxonomy. The check is structural, not `instanceof`, so
 * errors from another copy of this package (a custom provider with its own install, a bundled
 * build next to an unbundled one) are still recognised.
 */
export function isProviderError(error: unknown): error is ProviderError {
  if (error instanceof ProviderError) return true;
  const kind = (error as { kind?: unknown } | null | undefined)?.kind;
  return error instanceof Error && typeof kind === 'string' && (providerErrorKinds as readonly string[]).includes(kind);
}
