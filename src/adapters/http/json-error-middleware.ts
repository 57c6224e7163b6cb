import { inspect } from 'node:util';
import type { Context, Middleware } from 'koa';
import { errorMessage } from '../../domain/error-message.js';
import { isProviderError } from '../../domain/errors.js';
import type { Logger } from '../../ports/logger.js';
import { HttpError } from './http-error.js';
import { answerJson } from './json-answer.js';
import { httpStatusOfErrorKind } from './http-status-of-error-kind.js';
import { requestIdHeader } from './request-observer-middleware.js';

function statusAndMessage(error: unknown): { status: number; message: string } {
  if (isProviderError(error)) return { status: httpStatusOfErrorKind[error.kind], message: error.message };
  if (error instanceof HttpError) return { status: error.status, message: error.message };
  // Koa's own errors (ctx.throw, body parsing in embedding apps) carry an exposed status.
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 600 && (error as { expose?: boolean }).expose) {
    return { status, message: (error as Error).message };
  }
  return { status: 500, message: `internal error: ${errorMessage(error)}` };
}

// A symbol key, so nothing else that shares the request's state can overwrite it by accident.
const errorAnswerId = Symbol('id carried by error answers');

/**
 * Makes every error answer of this request carry `id` next to its `providerError`. The operator
 * copies `id` from every answer to PUT and DELETE into the resource's status; an error body
 * without it makes the operator forget the backend resource, which is then orphaned (SPEC §2).
 */
export function carryIdInErrorAnswers(ctx: Context, id: string): void {
  (ctx.state as Record<symbol, unknown>)[errorAnswerId] = id;
}

function idOfErrorAnswer(ctx: Context): string | undefined {
  const id = (ctx.state as Record<symbol, unknown>)[errorAnswerId];
  return typeof id === 'string' ? id : undefined;
}

/**
 * The outermost middleware: whatever goes wrong below, the answer is JSON with a non-empty
 * `providerError`, because the operator's workflow step saves the body and reads that field, and
 * with the `id` a route asked it to carry ({@link carryIdInErrorAnswers}). Only server-side
 * failures are logged as errors, with the request id of the access line; stacks never reach the
 * caller.
 */
export function jsonErrorMiddleware(logger: Logger): Middleware {
  return async function jsonErrors(ctx, next) {
    try {
      await next();
    } catch (error) {
      const { status, message } = statusAndMessage(error);
      const id = idOfErrorAnswer(ctx);
      answerJson(ctx, status, { ...(id === undefined ? {} : { id }), providerError: message || `request failed with status ${status}` });
      if (status >= 500 && status !== 501) {
        logger.error('request failed', {
          requestId: ctx.response.get(requestIdHeader) || undefined,
          method: ctx.method,
          path: ctx.path,
          status,
          error: String(error),
          cause: causeOf(error),
        });
      }
    }
  };
}

function causeOf(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (cause === undefined) return undefined;
  return cause instanceof Error ? String(cause) : inspect(cause, { depth: 2, breakLength: Infinity });
}
