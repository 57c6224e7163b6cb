import type { RunEventMessage } from '../ports/run-event-source.js';

/** Guards a message so that exactly one of ack or release reaches the source. */
export class SettleOnce {
  readonly #message: RunEventMessage;
  #settled = false;

  constructor(message: RunEventMessage) {
    this.#message = message;
  }

  /** The message's id, for logs. */
  get id(): string {
    return this.#message.id;
  }

  /** The backend's event as received. */
  get payload(): unknown {
    return this.#message.payload;
  }

  /** When the source first saw the event; the maximum age counts from here. */
  get firstSeenAt(): Date {
    return this.#message.firstSeenAt;
  }

  /** Acknowledges the message, unless it was settled already. */
  ack(): Promise<void> {
    return this.#settle(() => this.#message.ack());
  }

  /** Hands the message back to its source, unless it was settled already. */
  release(): Promise<void> {
    return this.#settle(() => this.#message.release());
  }

  // A settlement that threw did not happen, so another may still be tried.
  async #settle(settle: () => Promise<void>): Promise<void> {
    if (this.#settled) return;
    this.#settled = true;
    try {
      await settle();
    } catch (error) {
      this.#settled = false;
      throw error;
    }
  }
}
