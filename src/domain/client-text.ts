/** How many characters of client input an error message or a log line quotes at most. */
export const quotedInputLimit = 200;

/**
 * Quotes client input for an error message or a log line, cut to {@link quotedInputLimit}
 * characters: an error must say what was wrong without echoing a megabyte name back to the
 * caller, or into one log line, whole.
 */
export function quoteInput(text: string, limit = quotedInputLimit): string {
  if (text.length <= limit) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, limit))}… (${text.length - limit} more characters)`;
}
