import { BackendError } from '../../domain/errors.js';

/** A KFP request that failed; `status` is the HTTP status, or `undefined` when there was no answer. */
export class KfpHttpError extends BackendError {
  constructor(
    message: string,
    /** The HTTP status KFP answered with. */
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when KFP answered that the addressed object does not exist. */
export function isKfpNotFound(error: unknown): boolean {
  return error instanceof KfpHttpError && error.status === 404;
}

/** True when KFP answered that an object with that name already exists. */
export function isKfpAlreadyExists(error: unknown): boolean {
  return error instanceof KfpHttpError && error.status === 409;
}
