import type { Context } from 'koa';
import { InvalidInputError } from '../../domain/errors.js';
import { ByteBudget, type ReleaseBytes } from './byte-budget.js';
import { HttpError } from './http-error.js';
import { exceedsJsonDepth } from './json-depth.js';
import { type JsonShapeExcess, JsonShapeScanner } from './json-shape-scanner.js';

/** What a request body may be: its size, and the shape of its JSON. */
export interface BodyLimits {
  /** Largest body, in bytes on the wire and in bytes of its text in memory. */
  readonly bytes: number;
  /** Most JSON values, object keys included. */
  readonly values: number;
  /** Deepest nesting of objects and arrays. */
  readonly depth: number;
}

/** Reads request bodies within {@link BodyLimits}. */
export interface BodyReader {
  /** The raw body; 413 once it goes over a limit. */
  raw(ctx: Context): Promise<Buffer>;
  /**
   * The parsed JSON body. The media type must be `application/json` (parameters such as a charset
   * are fine); anything else is 415, an unparsable body 400, one over a limit 413.
   */
  json(ctx: Context): Promise<unknown>;
}

// A body this small never waits for the budget: the operator's run, schedule and experiment
// calls stay quick while a large pipeline is being parsed, and a thousand of them are 16 MiB.
const smallBodyBytes = 16 * 1024;

const shapeMessages: Readonly<Record<JsonShapeExcess, (limits: BodyLimits) => string>> = {
  values: (limits) => `request body has more than ${limits.values} JSON values (object keys included), the limit`,
  depth: (limits) => `request body nests objects and arrays deeper than ${limits.depth} levels, the limit`,
};

function tooLarge(ctx: Context, message: string): HttpError {
  // Stop reading; the connection is closed after the answer so the rest is not parsed.
  ctx.set('connection', 'close');
  return new HttpError(413, message);
}

// The budget is held until the answer is sent: the parsed body lives that long, and so do the
// copies a provider makes of it. A request whose connection closes or times out while it waits
// gives up its place (a client that merely hangs up is noticed only once its body is read: the
// socket is not read meanwhile). Once the bytes are granted, the end of the response only
// releases them: aborting then would build an Error and an abort event, about 20 µs, for every
// large request.
async function holdBudget(ctx: Context, budget: ByteBudget, bytes: number): Promise<void> {
  const gone = new AbortController();
  const giveUp = (): void => gone.abort(new Error('the connection closed while the request waited'));
  const socket = ctx.req.socket;
  ctx.res.once('close', giveUp);
  // Node's request timeout answers 408 itself and ends the socket, but the response's close
  // comes only once the handler is done, which would be after the wait and the provider's call.
  socket.once('finish', giveUp);
  let release: ReleaseBytes;
  try {
    release = await budget.acquire(bytes, gone.signal);
  } finally {
    ctx.res.off('close', giveUp);
    socket.off('finish', giveUp);
  }
  // The connection may have closed between the grant and now, and would then never release it.
  if (gone.signal.aborted) {
    release();
    throw gone.signal.reason as Error;
  }
  ctx.res.once('close', release);
}

function declaredLength(ctx: Context): number {
  return Number(ctx.get('content-length') || Number.NaN);
}

// A length the request really declared: neither NaN (no Content-Length, a chunked body) nor a negative or fractional number.
function isKnownLength(declared: number): boolean {
  return Number.isSafeInteger(declared) && declared >= 0;
}

// A JSON text of n bytes holds at most (n + 1) / 2 values and takes at most 2n bytes as a V8
// string, so a body whose declared length keeps both under their limits can only go over the
// depth limit. Such a body is read without the byte-by-byte scan (which cost as much as parsing
// a compiled pipeline) and its depth is measured on the parsed value instead, a few thousand
// objects and arrays for a compiled pipeline of long strings.
function onlyDepthCanExceed(declared: number, limits: BodyLimits): boolean {
  return isKnownLength(declared) && 2 * declared <= limits.bytes && declared < 2 * limits.values;
}

function measureChunk(ctx: Context, scanner: JsonShapeScanner, chunk: Buffer, limits: BodyLimits): void {
  const excess = scanner.scan(chunk);
  if (excess) throw tooLarge(ctx, shapeMessages[excess](limits));
  if (scanner.textBytes > limits.bytes) {
    throw tooLarge(
      ctx,
      `request body would take over ${limits.bytes} bytes as text (a character beyond Latin-1 takes two), over the limit`,
    );
  }
}

// `measure` false skips the shape scan, for a body whose `declared` length already bounds its shape.
async function readBody(ctx: Context, limits: BodyLimits, budget: ByteBudget, declared: number, measure: boolean): Promise<Buffer> {
  if (declared > limits.bytes) throw new HttpError(413, `request body of ${declared} bytes exceeds the limit of ${limits.bytes} bytes`);
  const known = isKnownLength(declared);
  if (!known || declared > smallBodyBytes) await holdBudget(ctx, budget, known ? declared : limits.bytes);
  // A declared length is read into one buffer of that size, so the body is held once, not twice.
  const whole = known && declared > smallBodyBytes ? Buffer.allocUnsafe(declared) : undefined;
  const chunks: Buffer[] = [];
  const scanner = measure ? new JsonShapeScanner(limits) : undefined;
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    if (size + chunk.length > limits.bytes) throw tooLarge(ctx, `request body exceeds the limit of ${limits.bytes} bytes`);
    if (scanner) measureChunk(ctx, scanner, chunk, limits);
    if (whole) chunk.copy(whole, size);
    else chunks.push(chunk);
    size += chunk.length;
  }
  return whole ? whole.subarray(0, size) : Buffer.concat(chunks);
}

function mediaType(ctx: Context): string {
  return (ctx.get('content-type').split(';', 1)[0] ?? '').trim().toLowerCase();
}

/**
 * A body reader for `limits`. Every body, JSON or not, is measured while it arrives (bytes, JSON
 * values, nesting, text size), so a shape that would take the pod's memory or block the event
 * loop in `JSON.parse` is refused with 413 before it is parsed; only a JSON body whose declared
 * length already bounds its values and text size has just its nesting measured, once parsed, with
 * the same 413. Bodies over 16 KiB take their
 * size from one budget of `limits.bytes`, so concurrent uploads never hold more than one largest
 * body between them.
 */
export function createBodyReader(limits: BodyLimits): BodyReader {
  const budget = new ByteBudget(limits.bytes);
  return {
    raw: (ctx) => readBody(ctx, limits, budget, declaredLength(ctx), true),
    json: async (ctx) => {
      if (mediaType(ctx) !== 'application/json') {
        throw new HttpError(415, `content type "${ctx.get('content-type') || '(none)'}" is not supported; send application/json`);
      }
      const declared = declaredLength(ctx);
      const scanned = !onlyDepthCanExceed(declared, limits);
      // The buffer is not kept: once decoded it is garbage, before the parser builds the value.
      const text = (await readBody(ctx, limits, budget, declared, scanned)).toString('utf8');
      if (text.length === 0) throw new InvalidInputError('request body is empty; expected a JSON definition');
      let value: unknown;
      try {
        value = JSON.parse(text) as unknown;
      } catch (error) {
        throw new InvalidInputError(`request body is not valid JSON: ${(error as Error).message}`);
      }
      if (!scanned && exceedsJsonDepth(value, limits.depth)) throw tooLarge(ctx, shapeMessages.depth(limits));
      return value;
    },
  };
}
