import type { Clock } from '../../ports/clock.js';
import type { RunEventMessage, RunEventSource } from '../../ports/run-event-source.js';
import { HandoffQueue } from '../shared/handoff-queue.js';

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
  readonly #queue = new HandoffQueue<Entry>({ keyOf: (entry) => entry.id });
  readonly #all = new Map<string, Entry>();
  #sequence = 0;
  #started = false;

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
    return this.#started && !this.#queue.closed;
  }

  async start(): Promise<void> {
    this.#started = true;
    this.#queue.reopen();
  }

  async stop(): Promise<void> {
    this.#queue.close();
  }

  async *messages(): AsyncIterable<RunEventMessage> {
    for (let entry = await this.#queue.take(); entry; entry = await this.#queue.take()) {
      entry.state = 'in-flight';
      yield this.#message(entry);
    }
  }

  #enqueue(entry: Entry): void {
    entry.state = 'queued';
    this.#queue.push(entry);
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
        if (this.#redeliver && !this.#queue.closed) this.#enqueue(entry);
      },
    };
  }
}
