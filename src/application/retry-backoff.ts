/** Options of {@link RetryBackoff}. */
export interface RetryBackoffOptions {
  /** Delay before the first retry, in milliseconds. */
  readonly initialMs: number;
  /** Largest delay, in milliseconds. */
  readonly maxMs: number;
  /** Returns a number in [0, 1); injectable so tests can pin the jitter. */
  readonly random?: () => number;
}

/**
 * Exponential backoff with "equal jitter": the n-th delay is uniform in [d/2, d) where d doubles
 * from `initialMs` up to `maxMs`. Jitter keeps many failing events from retrying in lock-step
 * against a webhook that just came back.
 */
export class RetryBackoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;

  constructor(options: RetryBackoffOptions) {
    if (!(options.initialMs > 0)) throw new RangeError('initialMs must be positive');
    if (!(options.maxMs >= options.initialMs)) throw new RangeError('maxMs must be at least initialMs');
    this.#initialMs = options.initialMs;
    this.#maxMs = options.maxMs;
    this.#random = options.random ?? Math.random;
  }

  /** The delay before retry number `attempt` (0 for the first retry). */
  delayMs(attempt: number): number {
    const ceiling = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(attempt, 30));
    return Math.round(ceiling / 2 + (ceiling / 2) * this.#random());
  }
}
