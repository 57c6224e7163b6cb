import type { Clock } from '../../ports/clock.js';
import type { RunEventMessage, RunEventSource } from '../../ports/run-event-source.js';

/** Where a published message ended up, for tests and diagnostics. */
export type InMemoryMessageState = 'queued' | 'in-flight' | 'acked' | 'released';

/** Options of {@link InMemoryRunEventSource}. */
export interface InMemoryRunEventSourceOptions {
  /** Supplies `firstSeenAt`; defaults to the system clock. */
  readonly clock?: Clock;
  /** Put released messages back at the end of the queue (a redelivering source); default true. */
  readonly redeliverReleased?: boolean;
}

interface Entry {
  readonly id: string;
  readonly payload: unknown;
  readonly firstSeenAt: Date;
  state: InMemoryMessageState;
}

/**
 * An in-process event source: the local provider publishes finished runs into it, and tests use
 * it to script what the pipeline sees. It hands out one message per pull, so the pipeline's
 * concurrency limit is what bounds how much is in flight.
 */
export class InMemoryRunEventSource implements RunEventSource {
  readonly #clock: Clock;
  readonly #redeliver: boolean;
  readonly #queue: Entry[] = [];
  readonly #all = new Map<string, Entry>();
  readonly #waiters: Array<(entry: Entry | undefined) => void> = [];
  #sequence = 0;
  #started = false;
  #stopped = false;

  constructor(options: InMemoryRunEventSourceOptions = {}) {
    this.#clock = options.clock ?? { now: () => new Date() };
    this.#redeliver = options.redeliverReleased ?? true;
  }

  /** Adds a payload and returns its message id. */
  publish(payload: unknown, id = `m-${++this.#sequence}`): string {
    if (this.#all.has(id)) throw new Error(`message id ${id} was already published`);
    const entry: Entry = { id, payload, firstSeenAt: this.#clock.now(), state: 'queued' };
    this.#all.set(id, entry);
    this.#enqueue(entry);
    return id;
  }

  /** The state of every message published so far, by id. */
  states(): ReadonlyMap<string, InMemoryMessageState> {
    return new Map([...this.#all].map(([id, entry]) => [id, entry.state]));
  }

  /** Ids of messages in the given state. */
  idsIn(state: InMemoryMessageState): string[] {
    return [...this.#all.values()].filter((entry) => entry.state === state).map((entry) => entry.id);
  }

  /** True once `start` was called and `stop` was not. */
  get running(): boolean {
    return this.#started && !this.#stopped;
  }

  async start(): Promise<void> {
    this.#started = true;
    this.#stopped = false;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const waiter of this.#waiters.splice(0)) waiter(undefined);
  }

  async *messages(): AsyncIterable<RunEventMessage> {
    while (!this.#stopped) {
      const entry = this.#queue.shift() ?? (await new Promise<Entry | undefined>((resolve) => this.#waiters.push(resolve)));
      if (!entry) return;
      entry.state = 'in-flight';
      yield this.#message(entry);
    }
  }

  #enqueue(entry: Entry): void {
    entry.state = 'queued';
    const waiter = this.#waiters.shift();
    if (waiter) waiter(entry);
    else this.#queue.push(entry);
  }

  #message(entry: Entry): RunEventMessage {
    return {
      id: entry.id,
      payload: entry.payload,
      firstSeenAt: entry.firstSeenAt,
      ack: async () => {
        entry.state = 'acked';
      },
      release: async () => {
        entry.state = 'released';
        if (this.#redeliver && !this.#stopped) this.#enqueue(entry);
      },
    };
  }
}
