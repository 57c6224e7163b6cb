import { pino, type Logger as Pino } from 'pino';
import type { LogFields, Logger, LogLevel } from '../../ports/logger.js';
import { boundLogLine } from './bounded-log-line.js';

class PinoLogger implements Logger {
  constructor(private readonly pino: Pino) {}

  debug(message: string, fields?: LogFields): void {
    this.pino.debug(fields ?? {}, message);
  }

  info(message: string, fields?: LogFields): void {
    this.pino.info(fields ?? {}, message);
  }

  warn(message: string, fields?: LogFields): void {
    this.pino.warn(fields ?? {}, message);
  }

  error(message: string, fields?: LogFields): void {
    this.pino.error(fields ?? {}, message);
  }

  child(fields: LogFields): Logger {
    return new PinoLogger(this.pino.child(fields));
  }
}

/**
 * JSON-lines logging to stdout with pino: one object a line, `level` as a word, ISO times, which
 * is what log collectors in the cluster parse without configuration; no line over 16 KiB.
 */
export function createPinoLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    hooks: { streamWrite: boundLogLine },
  };
  return new PinoLogger(destination ? pino(options, destination) : pino(options));
}
