import type { RetryBackoff } from './retry-backoff.js';

interface Wait {
  readonly timer: NodeJS.Timeout;
  readonly resolve: (due: boolean) => void;
}

/**
 * The timers of the events waiting for their next attempt: each waits out its own jittered
 * backoff, and a shutdown calls every wait off at once. One timer per waiting event and nothing
 * else: no delivery slot and no listener on a shared signal (a thousand listeners on one
 * `AbortSignal` would trip Node's leak warning), so what waits costs a timer, not a slot.
 */
export class RetryScheduler {
  readonly #backoff: RetryBackoff;
  readonly #waits = new Set<Wait>();
  #cancelled = false;

  constructor(backoff: RetryBackoff) {
    this.#backoff = backoff;
  }

  /** Waits still running. */
  get size(): number {
    return this.#waits.size;
  }

  /**
   * Waits out the backoff before retry number `attempt` (0 for the first retry). Resolves to
   * `true` when the retry is due, or to `false` once {@link cancelAll} was called, at once when
   * it already was.
   */
  wait(attempt: number): Promise<boolean> {
    if (this.#cancelled) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wait: Wait = {
        resolve,
        timer: setTimeout(() => {
          this.#waits.delete(wait);
          resolve(true);
        }, this.#backoff.delayMs(attempt)),
      };
      this.#waits.add(wait);
    });
  }

  /** Ends every wait now with `false`, and every later one at once. */
  cancelAll(): void {
    this.#cancelled = true;
    for (const wait of this.#waits) {
      clearTimeout(wait.timer);
      wait.resolve(false);
    }
    this.#waits.clear();
  }
}
