import { pino, type Logger as Pino } from 'pino';
import type { LogFields, Logger, LogLevel } from '../../ports/logger.js';
import { boundLogLine } from './bounded-log-line.js';
import { stdoutLogWriter } from './buffered-log-writer.js';
import { isoTimeField } from './iso-time-field.js';
import { LogLineRedactor } from './log-line-redactor.js';

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

/** How {@link createPinoLogger} treats what it writes. */
export interface PinoLoggerOptions {
  /** Values no line may carry (the configuration's secrets, see `configSecrets`); each is scrubbed. */
  readonly secrets?: readonly string[];
}

/**
 * JSON-lines logging to stdout with pino: one object a line, `level` as a word, ISO times, which
 * is what log collectors in the cluster parse without configuration; no line over 16 KiB, and no
 * credential in any line (header values, bearer tokens, URL userinfo and credential query values,
 * and the given `secrets`), whatever a message or field carries. Without a `destination`, lines
 * go to stdout in batches, and what is left is written when the process exits.
 */
export function createPinoLogger(level: LogLevel, destination?: NodeJS.WritableStream, logging: PinoLoggerOptions = {}): Logger {
  const redactor = new LogLineRedactor(logging.secrets);
  const options = {
    level,
    base: undefined,
    timestamp: isoTimeField(),
    formatters: { level: (label: string) => ({ level: label }) },
    // Scrubbed before bounding: cutting a long line first could keep part of a secret.
    hooks: { streamWrite: (line: string) => boundLogLine(redactor.redact(line)) },
  };
  return new PinoLogger(pino(options, destination ?? stdoutLogWriter()));
}
