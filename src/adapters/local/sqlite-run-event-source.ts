import type { Clock } from '../../ports/clock.js';
import type { RunEventMessage, RunEventSource } from '../../ports/run-event-source.js';
import { HandoffQueue } from '../shared/handoff-queue.js';
import type { PayloadCodec } from './local-state-codec.js';
import type { SqliteStateStore, StoredEvent } from './sqlite-state-store.js';

/** What a {@link SqliteRunEventSource} is built from. */
export interface SqliteRunEventSourceOptions {
  /** Where undelivered events are kept; the local provider's store, so a finished run and its event are written together. */
  readonly store: SqliteStateStore;
  /** How payloads are written to the store and read back. */
  readonly codec: PayloadCodec;
  readonly clock: Clock;
}

/**
 * The local provider's durable event source: a published event is a row in the state store
 * until it is acknowledged, and the rows a previous process left behind are delivered first.
 * Memory holds only the ids and times of queued events; a payload is read when its event is
 * handed out and dropped once it settles.
 *
 * A message released after {@link stop} stays in the store for the next process. An ack or a
 * release that arrives after the store was closed changes nothing: the event is delivered again
 * after a restart, which at-least-once delivery allows.
 */
export class SqliteRunEventSource implements RunEventSource {
  readonly #options: SqliteRunEventSourceOptions;
  readonly #queue = new HandoffQueue<StoredEvent>({ keyOf: (event) => event.id });

  constructor(options: SqliteRunEventSourceOptions) {
    this.#options = options;
    for (const event of options.store.events()) this.#queue.push(event);
  }

  /** Stores an event and queues it; `id` must be new (a stored, undelivered id is an error). */
  publish(payload: unknown, id: string): string {
    const event: StoredEvent = { id, firstSeenAt: this.#options.clock.now() };
    try {
      this.#options.store.addEvent(id, this.#options.codec.encode(payload), event.firstSeenAt);
    } catch (error) {
      throw new Error(`event ${id} could not be stored: ${(error as Error).message}`, { cause: error });
    }
    this.#queue.push(event);
    return id;
  }

  /** How many undelivered events wait in the queue (not counting those handed out). */
  get queued(): number {
    return this.#queue.size;
  }

  async start(): Promise<void> {
    this.#queue.reopen();
  }

  async stop(): Promise<void> {
    this.#queue.close();
  }

  async *messages(): AsyncIterable<RunEventMessage> {
    for (let event = await this.#queue.take(); event; event = await this.#queue.take()) {
      const message = this.#message(event);
      // An event acknowledged meanwhile (by an earlier hand-out) has nothing left to deliver.
      if (message) yield message;
    }
  }

  #message(event: StoredEvent): RunEventMessage | undefined {
    const { store, codec } = this.#options;
    if (store.closed) return undefined;
    const text = store.eventPayload(event.id);
    if (text === undefined) return undefined;
    return {
      id: event.id,
      payload: codec.decode(text),
      firstSeenAt: event.firstSeenAt,
      ack: async () => {
        if (!store.closed) store.deleteEvent(event.id);
      },
      release: async () => {
        if (!this.#queue.closed) this.#queue.push(event);
      },
    };
  }
}
