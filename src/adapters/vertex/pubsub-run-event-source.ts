import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { errorMessage } from '../../domain/error-message.js';
import type { Logger } from '../../ports/logger.js';
import type { RunEventMessage, RunEventSource } from '../../ports/run-event-source.js';
import { HandoffQueue } from '../shared/handoff-queue.js';
import { RecentIds } from '../shared/recent-ids.js';

/** What {@link PubSubRunEventSource} reads from. */
export interface PubSubRunEventSourceOptions {
  /** The client; closed by {@link PubSubRunEventSource.close}. */
  readonly pubsub: PubSub;
  /**
   * The subscription, already configured with flow control (so Pub/Sub never hands over more
   * than the pipeline can hold) and the WAIT close behaviour (so in-flight messages finish).
   */
  readonly subscription: Subscription;
  readonly logger: Logger;
  /** How many acknowledged message ids are remembered to recognise redeliveries. */
  readonly rememberedAcks?: number;
}

interface Delivery {
  readonly message: Message;
  /** Redeliveries that arrived while the first copy was being processed; settled with it. */
  readonly duplicates: Message[];
}

/**
 * Run events from the Pub/Sub subscription the Cloud Logging sink writes to. Messages are handed
 * out one per pull; `ack` acknowledges and `release` nacks (Pub/Sub redelivers). Pub/Sub delivers
 * at least once, so a redelivered copy of a message still in flight is settled with the first
 * copy, and a copy of one already acknowledged is acknowledged without being handed out again.
 */
export class PubSubRunEventSource implements RunEventSource {
  readonly #pubsub: PubSub;
  readonly #subscription: Subscription;
  readonly #logger: Logger;
  /** Deliveries not handed out yet; closed while the source is not receiving. */
  readonly #queue = new HandoffQueue<Delivery>({ keyOf: (delivery) => delivery.message.id });
  readonly #inFlight = new Map<string, Delivery>();
  readonly #acked: RecentIds;
  #failure: Error | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: PubSubRunEventSourceOptions) {
    this.#pubsub = options.pubsub;
    this.#subscription = options.subscription;
    this.#logger = options.logger;
    this.#acked = new RecentIds(options.rememberedAcks ?? 10_000);
    this.#queue.close();
  }

  async start(): Promise<void> {
    const name = this.#subscription.name;
    let exists: boolean;
    try {
      [exists] = await this.#subscription.exists();
    } catch (error) {
      throw new Error(`cannot check Pub/Sub subscription ${name}: ${errorMessage(error)}`, {
        cause: error,
      });
    }
    if (!exists) {
      throw new Error(`Pub/Sub subscription ${name} does not exist (set by PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION)`);
    }
    this.#queue.reopen();
    this.#failure = undefined;
    this.#subscription.on('error', this.#onError);
    this.#subscription.on('message', this.#onMessage);
    this.#logger.info('receiving run events from Pub/Sub', { subscription: name });
  }

  async *messages(): AsyncIterable<RunEventMessage> {
    for (let delivery = await this.#queue.take(); delivery; delivery = await this.#queue.take()) {
      yield this.#handOut(delivery);
    }
    if (this.#failure) throw this.#failure;
  }

  async stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    await this.#stopping;
  }

  /** Stops receiving and closes the client. */
  async close(): Promise<void> {
    await this.stop();
    await this.#pubsub.close();
  }

  async #stop(): Promise<void> {
    this.#subscription.removeListener('message', this.#onMessage);
    // Messages never handed out go straight back; handed-out ones are waited for by the close.
    this.#handBackQueued();
    await this.#subscription.close();
    this.#subscription.removeListener('error', this.#onError);
  }

  readonly #onMessage = (message: Message): void => {
    if (this.#queue.closed) {
      message.nack();
      return;
    }
    if (this.#acked.has(message.id)) {
      this.#logger.debug('run event redelivered after it was acknowledged; acknowledged again', { messageId: message.id });
      message.ack();
      return;
    }
    const first = this.#inFlight.get(message.id);
    if (first) {
      first.duplicates.push(message);
      return;
    }
    const delivery: Delivery = { message, duplicates: [] };
    this.#inFlight.set(message.id, delivery);
    this.#queue.push(delivery);
  };

  readonly #onError = (error: Error): void => {
    if (this.#queue.closed) return;
    this.#logger.error('Pub/Sub subscription failed; no more run events are received', {
      subscription: this.#subscription.name,
      error: error.message,
    });
    this.#failure = error;
    // Nothing reads the queue any more: without this, messages still streaming in would each be
    // nacked on arrival and redelivered at once, a hot loop until the process ends.
    this.#subscription.removeListener('message', this.#onMessage);
    this.#handBackQueued();
    // The error listener stays: a later 'error' without one would be thrown by the emitter.
    this.#subscription.close().catch((closeError: unknown) =>
      this.#logger.warn('closing the failed Pub/Sub subscription failed', {
        subscription: this.#subscription.name,
        error: errorMessage(closeError),
      }),
    );
  };

  #handOut(delivery: Delivery): RunEventMessage {
    const { message } = delivery;
    return {
      id: message.id,
      payload: message.data.toString('utf8'),
      firstSeenAt: new Date(message.publishTime.getTime()),
      ack: async () => this.#settle(delivery, 'ack'),
      release: async () => this.#settle(delivery, 'nack'),
    };
  }

  #settle(delivery: Delivery, how: 'ack' | 'nack'): void {
    if (this.#inFlight.get(delivery.message.id) !== delivery) return;
    this.#inFlight.delete(delivery.message.id);
    for (const message of [delivery.message, ...delivery.duplicates]) {
      if (how === 'ack') message.ack();
      else message.nack();
    }
    if (how === 'ack') this.#acked.add(delivery.message.id);
  }

  /** Stops handing out (ending every wait) and nacks what was never handed out. */
  #handBackQueued(): void {
    this.#queue.close();
    for (const delivery of this.#queue.drain()) this.#settle(delivery, 'nack');
  }
}
