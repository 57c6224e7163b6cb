import type { LogFields, Logger } from '../../src/ports/logger.js';

/** One captured log line. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: LogFields;
}

/** A Logger that keeps every line (children share the parent's list), for assertions on logs. */
export class RecordingLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly bound: LogFields = {},
  ) {}

  debug(message: string, fields?: LogFields): void {
    this.#push('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.#push('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.#push('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.#push('error', message, fields);
  }

  child(fields: LogFields): Logger {
    return new RecordingLogger(this.lines, { ...this.bound, ...fields });
  }

  /** The lines of one level. */
  at(level: LogLine['level']): LogLine[] {
    return this.lines.filter((line) => line.level === level);
  }

  #push(level: LogLine['level'], message: string, fields: LogFields = {}): void {
    this.lines.push({ level, message, fields: { ...this.bound, ...fields } });
  }
}
