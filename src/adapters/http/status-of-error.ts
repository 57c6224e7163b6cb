import type { ProviderErrorKind } from '../../domain/errors.js';

/** The one table that turns the domain's error kinds into HTTP status codes. */
export const statusOfErrorKind: Readonly<Record<ProviderErrorKind, number>> = Object.freeze({
  'invalid-input': 400,
  'not-found': 404,
  'not-implemented': 501,
  'backend-failure': 500,
});
