import type { Context } from 'koa';

// What Koa's body setter gives an object body, looking the type up through mime-types on every
// answer; text whose type is already set skips the lookup, and the answer is the same byte for byte.
const jsonMediaType = 'application/json; charset=utf-8';

/** Answers `status` with `value` as JSON, exactly as Koa answers an object body. */
export function answerJson(ctx: Context, status: number, value: unknown): void {
  ctx.status = status;
  ctx.set('content-type', jsonMediaType);
  ctx.body = JSON.stringify(value);
}
