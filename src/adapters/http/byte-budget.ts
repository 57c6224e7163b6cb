/** Gives back what an {@link ByteBudget.acquire} took; calling it again does nothing. */
export type ReleaseBytes = () => void;

interface Waiter {
  readonly bytes: number;
  readonly grant: () => void;
}

/**
 * A weighted semaphore over bytes: at most `capacity` bytes are held at once, and a request for
 * more than is free waits, in FIFO order so that a large request is not starved by small ones.
 * A request larger than the capacity waits for all of it. The HTTP edge holds the size of each
 * request body it reads and parses, so that concurrent uploads share the memory one may take.
 */
export class ByteBudget {
  readonly #capacity: number;
  #available: number;
  readonly #waiting: Waiter[] = [];

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive whole number of bytes');
    this.#capacity = capacity;
    this.#available = capacity;
  }

  /** Bytes not held now. */
  get available(): number {
    return this.#available;
  }

  /** Requests waiting now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Resolves once `bytes` (at most the capacity) are held, with the function that gives them back;
   * rejects with the signal's reason when `signal` aborts first, taking nothing.
   */
  acquire(bytes: number, signal?: AbortSignal): Promise<ReleaseBytes> {
    const wanted = Math.min(Math.max(0, Math.ceil(bytes)), this.#capacity);
    if (this.#waiting.length === 0 && wanted <= this.#available) {
      this.#available -= wanted;
      return Promise.resolve(this.#releaser(wanted));
    }
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      const abandon = (): void => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        reject(signal?.reason as Error);
        // The abandoned request may have been the head that kept smaller ones waiting.
        this.#grantWaiting();
      };
      const waiter: Waiter = {
        bytes: wanted,
        grant: () => {
          signal?.removeEventListener('abort', abandon);
          resolve(this.#releaser(wanted));
        },
      };
      signal?.addEventListener('abort', abandon, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #releaser(bytes: number): ReleaseBytes {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#available += bytes;
      this.#grantWaiting();
    };
  }

  #grantWaiting(): void {
    for (let next = this.#waiting[0]; next && next.bytes <= this.#available; next = this.#waiting[0]) {
      this.#waiting.shift();
      this.#available -= next.bytes;
      next.grant();
    }
  }
}
