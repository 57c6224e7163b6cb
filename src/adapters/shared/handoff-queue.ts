/** Options of {@link HandoffQueue}. */
export interface HandoffQueueOptions<T> {
  /**
   * The identity of an item. The queue holds at most one item per key, so a source can replace
   * or withdraw an item it has not handed out yet (a newer version of the same workflow, a
   * workflow deleted meanwhile).
   */
  readonly keyOf: (item: T) => string;
}

/**
 * The hand-off between an event source's producer side (SDK callbacks, a watch, a test calling
 * `publish`) and its consumer, the `messages()` iteration of the event pipeline. Items leave in
 * the order their keys were first queued; a consumer waiting on an empty queue is woken by the
 * next push; {@link close} wakes every waiting consumer, whose {@link take} then gives
 * `undefined`. Closing keeps what is queued: a source decides whether that is handed back
 * ({@link drain}), dropped, or kept for a later {@link reopen}.
 */
export class HandoffQueue<T> {
  readonly #keyOf: (item: T) => string;
  readonly #items = new Map<string, T>();
  /** Each waiting {@link take}; called with true when woken by {@link close}. */
  readonly #waiters: Array<(closing: boolean) => void> = [];
  #closed = false;

  constructor(options: HandoffQueueOptions<T>) {
    if (typeof options.keyOf !== 'function') throw new TypeError('keyOf must be a function');
    this.#keyOf = options.keyOf;
  }

  /** True after {@link close}, until {@link reopen}. */
  get closed(): boolean {
    return this.#closed;
  }

  /** How many items are queued. */
  get size(): number {
    return this.#items.size;
  }

  /**
   * Queues `item`, or replaces the queued item with the same key in its place, and wakes one
   * waiting consumer. A closed queue still takes the item; it is handed out after a reopen.
   */
  push(item: T): void {
    this.#items.set(this.#keyOf(item), item);
    this.#waiters.shift()?.(false);
  }

  /** The queued item with this key, if any. */
  get(key: string): T | undefined {
    return this.#items.get(key);
  }

  /** Withdraws the queued item with this key; true when there was one. */
  delete(key: string): boolean {
    return this.#items.delete(key);
  }

  /** The oldest queued item, once there is one; `undefined` as soon as the queue is closed. */
  async take(): Promise<T | undefined> {
    // A woken consumer looks again: another one may have taken the item, or it was withdrawn.
    while (!this.#closed) {
      const next = this.#items.entries().next();
      if (!next.done) {
        const [key, item] = next.value;
        this.#items.delete(key);
        return item;
      }
      // A take woken by close ends even if the queue was reopened before it resumed.
      if (await new Promise<boolean>((resolve) => this.#waiters.push(resolve))) return undefined;
    }
    return undefined;
  }

  /** Removes every queued item and returns them, oldest first. */
  drain(): T[] {
    const items = [...this.#items.values()];
    this.#items.clear();
    return items;
  }

  /** Ends every wait: pending and later {@link take}s give `undefined` until {@link reopen}. */
  close(): void {
    this.#closed = true;
    for (const wake of this.#waiters.splice(0)) wake(true);
  }

  /** Hands out items again after a {@link close}. */
  reopen(): void {
    this.#closed = false;
  }
}
