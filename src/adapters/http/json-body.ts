import type { Context } from 'koa';
import { InvalidInputError } from '../../domain/errors.js';
import { HttpError } from './http-error.js';

/** Reads the raw request body, refusing (413) once it grows past `limitBytes`. */
export async function readRawBody(ctx: Context, limitBytes: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || Number.NaN);
  if (declared > limitBytes) throw new HttpError(413, `request body of ${declared} bytes exceeds the limit of ${limitBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) {
      // Stop reading; the connection is closed after the answer so the rest is not parsed.
      ctx.set('connection', 'close');
      throw new HttpError(413, `request body exceeds the limit of ${limitBytes} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a JSON request body. The media type must be `application/json` (parameters such as a
 * charset are fine); anything else is 415, an unparsable body 400, an oversized one 413.
 */
export async function readJsonBody(ctx: Context, limitBytes: number): Promise<unknown> {
  const type = (ctx.get('content-type').split(';', 1)[0] ?? '').trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, `content type "${ctx.get('content-type') || '(none)'}" is not supported; send application/json`);
  }
  const raw = await readRawBody(ctx, limitBytes);
  if (raw.length === 0) throw new InvalidInputError('request body is empty; expected a JSON definition');
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (error) {
    throw new InvalidInputError(`request body is not valid JSON: ${(error as Error).message}`);
  }
}
