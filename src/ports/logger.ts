/** The log levels the service writes, least severe first. */
export const logLevels = ['debug', 'info', 'warn', 'error'] as const;

/** One of {@link logLevels}. */
export type LogLevel = (typeof logLevels)[number];

/** Structured fields attached to a log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Structured logging, shaped to what the service writes (JSON lines in production). */
export interface Logger {
  /** Diagnostic detail, off by default. */
  debug(message: string, fields?: LogFields): void;
  /** Normal operation: start-up, shutdown, delivered events. */
  info(message: string, fields?: LogFields): void;
  /** Something was dropped or degraded on purpose (malformed input, a retry). */
  warn(message: string, fields?: LogFields): void;
  /** Something failed and needs attention. */
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/** Injection token of {@link Logger}. */
export const Logger = Symbol.for('kfp-provider-service.Logger');
