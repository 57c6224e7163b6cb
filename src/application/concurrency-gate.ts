/**
 * A counting semaphore: at most `limit` holders at once; `acquire` waits in FIFO order. The event
 * pipeline takes a slot before it pulls the next message, which is what pushes back on a source.
 */
export class ConcurrencyGate {
  readonly #limit: number;
  #held = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    this.#limit = limit;
  }

  /** Slots in use. */
  get held(): number {
    return this.#held;
  }

  /** Resolves once a slot is free and taken. */
  acquire(): Promise<void> {
    if (this.#held < this.#limit) {
      this.#held += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Frees a slot, handing it straight to the longest waiter if there is one. */
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = Math.max(0, this.#held - 1);
  }
}
