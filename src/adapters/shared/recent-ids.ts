/**
 * The last `capacity` ids remembered, oldest forgotten first. Event sources keep the ids they
 * acknowledged, so that a redelivery (Pub/Sub's at-least-once) or a stale notification (the watch
 * event caused by our own published-label patch) is not taken for a new completion, without the
 * memory growing with the service's uptime.
 */
export class RecentIds {
  readonly #capacity: number;
  readonly #ids = new Set<string>();

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive whole number, not ${capacity}`);
    this.#capacity = capacity;
  }

  /** Remembers `id` as the newest, forgetting the oldest once more than the capacity are held. */
  add(id: string): void {
    this.#ids.delete(id);
    this.#ids.add(id);
    if (this.#ids.size > this.#capacity) {
      const oldest = this.#ids.values().next().value;
      if (oldest !== undefined) this.#ids.delete(oldest);
    }
  }

  /** Whether `id` is among the remembered ones. */
  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** How many ids are remembered. */
  get size(): number {
    return this.#ids.size;
  }
}
