/** Options of {@link errorMessage}. */
export interface ErrorMessageOptions {
  /** Prefer the stack trace (which starts with the message) when the error has one: for crash logs. */
  readonly withStack?: boolean;
}

/**
 * The text of something caught: an `Error`'s message, anything else (a thrown string, a
 * rejection reason) as a string. `catch` clauses and rejection handlers receive `unknown`, and
 * every log line and `providerError` built from one needs text.
 */
export function errorMessage(error: unknown, options: ErrorMessageOptions = {}): string {
  if (!(error instanceof Error)) return String(error);
  return (options.withStack ? error.stack : undefined) ?? error.message;
}
