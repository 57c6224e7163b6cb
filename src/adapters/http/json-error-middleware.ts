import type { Middleware } from 'koa';
import { errorMessage } from '../../domain/error-message.js';
import { isProviderError } from '../../domain/errors.js';
import type { Logger } from '../../ports/logger.js';
import { HttpError } from './http-error.js';
import { statusOfErrorKind } from './status-of-error.js';

function statusAndMessage(error: unknown): { status: number; message: string } {
  if (isProviderError(error)) return { status: statusOfErrorKind[error.kind], message: error.message };
  if (error instanceof HttpError) return { status: error.status, message: error.message };
  // Koa's own errors (ctx.throw, body parsing in embedding apps) carry an exposed status.
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 600 && (error as { expose?: boolean }).expose) {
    return { status, message: (error as Error).message };
  }
  return { status: 500, message: `internal error: ${errorMessage(error)}` };
}

/**
 * The outermost middleware: whatever goes wrong below, the answer is JSON with a non-empty
 * `providerError`, because the operator's workflow step saves the body and reads that field.
 * Only server-side failures are logged as errors; stacks never reach the caller.
 */
export function jsonErrorMiddleware(logger: Logger): Middleware {
  return async function jsonErrors(ctx, next) {
    try {
      await next();
    } catch (error) {
      const { status, message } = statusAndMessage(error);
      ctx.status = status;
      ctx.body = { providerError: message || `request failed with status ${status}` };
      if (status >= 500 && status !== 501) {
        logger.error('request failed', { method: ctx.method, path: ctx.path, status, error: String(error), cause: causeOf(error) });
      }
    }
  };
}

function causeOf(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  return cause === undefined ? undefined : String(cause);
}
