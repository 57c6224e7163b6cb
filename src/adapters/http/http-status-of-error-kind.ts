import type { ProviderErrorKind } from '../../domain/errors.js';

/**
 * The one table that turns the domain's error kinds into the HTTP statuses the API answers with:
 * our errors, outwards. (The other direction, the status a backend put on its own error, is
 * `backendErrorStatus` of the shared adapters.)
 */
export const httpStatusOfErrorKind: Readonly<Record<ProviderErrorKind, number>> = Object.freeze({
  'invalid-input': 400,
  'not-found': 404,
  'not-implemented': 501,
  'backend-failure': 500,
});
