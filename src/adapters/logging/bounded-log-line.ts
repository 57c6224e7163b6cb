/** The longest log line the service writes, in characters (SPEC §6: at most 16 KiB). */
export const maxLogLineLength = 16 * 1024;

// What a field keeps of a long string or array once a line is over the limit.
const keptStringLength = 200;
const keptArrayItems = 10;

function shorten(value: unknown, depth: number): unknown {
  if (typeof value === 'string') {
    return value.length <= keptStringLength
      ? value
      : `${value.slice(0, keptStringLength)}… (${value.length - keptStringLength} more characters)`;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= 4) return '[nested too deep for one log line]';
  if (Array.isArray(value)) {
    const kept = value.slice(0, keptArrayItems).map((item) => shorten(item, depth + 1));
    return value.length > keptArrayItems ? [...kept, `… (${value.length - keptArrayItems} more items)`] : kept;
  }
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, shorten(field, depth + 1)]));
}

/**
 * Keeps one JSON log line (with its newline) within {@link maxLogLineLength}: a line over it has
 * its long strings, long arrays and deep nesting cut, and says so in `truncated`; a line still
 * too long after that keeps only its level, time and message. Whatever a client sends (a
 * megabyte name, a relayed event), the log stays one readable JSON object a line.
 */
export function boundLogLine(line: string): string {
  if (line.length <= maxLogLineLength) return line;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${JSON.stringify({ msg: line.slice(0, keptStringLength), truncated: true })}\n`;
  }
  const shortened = JSON.stringify({ ...(shorten(record, 0) as Record<string, unknown>), truncated: true });
  if (shortened.length < maxLogLineLength) return `${shortened}\n`;
  const { level, time, msg } = record;
  return `${JSON.stringify({ level, time, msg: shorten(msg, 0), truncated: true })}\n`;
}
