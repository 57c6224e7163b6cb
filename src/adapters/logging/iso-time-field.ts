/**
 * A pino `timestamp` function: the `,"time":"<ISO 8601>"` field of a line, as pino's `isoTime`
 * writes it, built once a millisecond. A request writes two or three lines within the same
 * millisecond, and formatting the date was the largest cost of a line after its serialisation.
 */
export function isoTimeField(now: () => number = Date.now): () => string {
  let formattedAt = Number.NaN;
  let field = '';
  return () => {
    const ms = now();
    if (ms !== formattedAt) {
      formattedAt = ms;
      field = `,"time":"${new Date(ms).toISOString()}"`;
    }
    return field;
  };
}
