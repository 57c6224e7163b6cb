import type { Logger } from '../../ports/logger.js';

/** A logger that writes nothing, for embedding and tests that do not assert on logs. */
export const silentLogger: Logger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
});
