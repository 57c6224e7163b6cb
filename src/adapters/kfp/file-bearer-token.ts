import { readFile } from 'node:fs/promises';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';

/** Options of {@link FileBearerToken}. */
export interface FileBearerTokenOptions {
  /** The token file, e.g. a projected ServiceAccount token. */
  readonly path: string;
  /** How long a read token is used before the file is read again. */
  readonly refreshMs?: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

// Kubelet rotates projected tokens well before expiry; re-reading every 30 s picks a rotated
// token up within a minute while costing one small file read per half minute.
const defaultRefreshMs = 30_000;

/**
 * A bearer token read from a file and re-read periodically, so a rotated token is picked up
 * without a restart. A failed re-read keeps the last good token (the old one usually stays valid
 * for a while); only the first read must succeed.
 */
export class FileBearerToken {
  readonly #options: FileBearerTokenOptions;
  readonly #refreshMs: number;
  #token = '';
  #readAt = 0;

  private constructor(options: FileBearerTokenOptions) {
    this.#options = options;
    this.#refreshMs = options.refreshMs ?? defaultRefreshMs;
    if (!(this.#refreshMs > 0)) throw new RangeError('refreshMs must be positive');
  }

  /** Reads the token once; rejects with a message naming the file when it is missing, unreadable or empty. */
  static async load(options: FileBearerTokenOptions): Promise<FileBearerToken> {
    const token = new FileBearerToken(options);
    try {
      await token.#read();
    } catch (error) {
      throw new Error(
        `KFP multi-user mode needs a bearer token, but the token file ${options.path} could not be used: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return token;
  }

  /** The current token, re-read from the file when the cached one is older than the refresh period. */
  async value(): Promise<string> {
    if (this.#options.clock.now().getTime() - this.#readAt >= this.#refreshMs) {
      try {
        await this.#read();
      } catch (error) {
        this.#readAt = this.#options.clock.now().getTime();
        this.#options.logger.warn('KFP token file could not be re-read; keeping the previous token', {
          path: this.#options.path,
          error: (error as Error).message,
        });
      }
    }
    return this.#token;
  }

  async #read(): Promise<void> {
    const token = (await readFile(this.#options.path, 'utf8')).trim();
    if (token === '') throw new Error('the file is empty');
    this.#token = token;
    this.#readAt = this.#options.clock.now().getTime();
  }
}
