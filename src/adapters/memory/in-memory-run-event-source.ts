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
  /**
   * How many settled messages (acked, or released for good) keep their id and final state for
   * {@link InMemoryRunEventSource.states}, newest kept, oldest forgotten first; default 1000.
   * Their payloads are never kept.
   */
  readonly settledHistory?: number;
}

/** The default of {@link InMemoryRunEventSourceOptions.settledHistory}. */
const defaultSettledHistory = 1000;

type SettledState = Extract<InMemoryMessageState, 'acked' | 'released'>;

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
 *
 * It holds a message, payload included, only until the message settles; after that only the id
 * and final state of the most recent settled messages are remembered, so a long-running service
 * publishing into it does not grow with the number of runs it has finished.
 */
export class InMemoryRunEventSource implements RunEventSource {
  readonly #clock: Clock;
  readonly #redeliver: boolean;
  readonly #settledHistory: number;
  readonly #queue = new HandoffQueue<Entry>({ keyOf: (entry) => entry.id });
  readonly #unsettled = new Map<string, Entry>();
  readonly #settled = new Map<string, SettledState>();
  #sequence = 0;
  #started = false;

  constructor(options: InMemoryRunEventSourceOptions = {}) {
    const settledHistory = options.settledHistory ?? defaultSettledHistory;
    if (!Number.isSafeInteger(settledHistory) || settledHistory < 0) {
      throw new RangeError(`settledHistory must be a whole number of at least 0, not ${settledHistory}`);
    }
    this.#clock = options.clock ?? { now: () => new Date() };
    this.#redeliver = options.redeliverReleased ?? true;
    this.#settledHistory = settledHistory;
  }

  /**
   * Adds a payload and returns its message id. An id still unsettled or among the remembered
   * settled ones is refused.
   */
  publish(payload: unknown, id = `m-${++this.#sequence}`): string {
    if (this.#unsettled.has(id) || this.#settled.has(id)) throw new Error(`message id ${id} was already published`);
    const entry: Entry = { id, payload, firstSeenAt: this.#clock.now(), state: 'queued' };
    this.#unsettled.set(id, entry);
    this.#enqueue(entry);
    return id;
  }

  /** The state of every unsettled message and of the most recently settled ones, by id. */
  states(): ReadonlyMap<string, InMemoryMessageState> {
    return new Map<string, InMemoryMessageState>([
      ...this.#settled,
      ...[...this.#unsettled].map(([id, entry]): [string, InMemoryMessageState] => [id, entry.state]),
    ]);
  }

  /** Ids of messages in the given state (of settled states, only the remembered ones). */
  idsIn(state: InMemoryMessageState): string[] {
    return [...this.states()].filter(([, current]) => current === state).map(([id]) => id);
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

  #settle(entry: Entry, state: SettledState): void {
    entry.state = state;
    this.#unsettled.delete(entry.id);
    if (this.#settledHistory === 0) return;
    this.#settled.set(entry.id, state);
    if (this.#settled.size > this.#settledHistory) {
      const oldest = this.#settled.keys().next().value;
      if (oldest !== undefined) this.#settled.delete(oldest);
    }
  }

  #message(entry: Entry): RunEventMessage {
    return {
      id: entry.id,
      payload: entry.payload,
      firstSeenAt: entry.firstSeenAt,
      ack: async () => this.#settle(entry, 'acked'),
      release: async () => {
        // A message handed back after stop is not queued again: it is released for good.
        if (this.#redeliver && !this.#queue.closed) this.#enqueue(entry);
        else this.#settle(entry, 'released');
      },
    };
  }
}
