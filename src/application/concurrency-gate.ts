/**
 * A counting semaphore: at most `limit` holders at once; `acquire` waits in FIFO order. The event
 * pipeline takes a slot for each attempt at a message, and pulls the next message only while a
 * slot is free, which is what pushes back on a source. Closing it turns every wait, current and
 * later, into a refusal at once, so a shutdown need not wait for slots nobody will use.
 */
export class ConcurrencyGate {
  readonly #limit: number;
  #held = 0;
  #closed = false;
  readonly #waiting: Array<(granted: boolean) => void> = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    this.#limit = limit;
  }

  /** Slots in use. */
  get held(): number {
    return this.#held;
  }

  /** Slots nobody holds now; 0 whenever someone waits, since a freed slot goes straight to a waiter. */
  get free(): number {
    return this.#closed ? 0 : this.#limit - this.#held;
  }

  /** Resolves to `true` once a slot is free and taken, or to `false` once the gate is closed. */
  acquire(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.#held < this.#limit) {
      this.#held += 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Frees a slot, handing it straight to the longest waiter if there is one. */
  release(): void {
    const next = this.#waiting.shift();
    if (next) next(true);
    else this.#held = Math.max(0, this.#held - 1);
  }

  /** Refuses every waiter now and every later `acquire`; slots already held are still released. */
  close(): void {
    this.#closed = true;
    for (const refuse of this.#waiting.splice(0)) refuse(false);
  }
}
