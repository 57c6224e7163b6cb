import type { Message } from '@google-cloud/pubsub';
import type { Logger } from '../../ports/logger.js';
import type { RunEventMessage } from '../../ports/run-event-source.js';
import { HandoffQueue } from '../shared/handoff-queue.js';
import { RecentIds } from '../shared/recent-ids.js';

interface Delivery {
  readonly message: Message;
  /** Redeliveries that arrived while the first copy was being processed; settled with it. */
  readonly duplicates: Message[];
}

/**
 * What tells a redelivery from a new message. Pub/Sub keeps a message's id and publish time
 * across redeliveries; the id alone is unique per topic only as long as the server keeps its
 * state, and an emulator that restarted numbers its messages from 1 again.
 */
function deliveryKey(message: Message): string {
  return `${message.id}@${message.publishTime.getTime()}`;
}

/**
 * The messages of a Pub/Sub subscription on their way to the pipeline, one handed out per pull;
 * `ack` acknowledges and `release` nacks (Pub/Sub redelivers). Pub/Sub delivers at least once,
 * so a redelivered copy of a message still in flight is settled with the first copy, and a copy
 * of one already acknowledged is acknowledged without being handed out again. Messages from any
 * subscription object of the same subscription may arrive here: the bookkeeping outlives them.
 */
export class PubSubDeliveries {
  /** Deliveries not handed out yet; closed while nothing takes them. */
  readonly #queue = new HandoffQueue<Delivery>({ keyOf: (delivery) => deliveryKey(delivery.message) });
  readonly #inFlight = new Map<string, Delivery>();
  readonly #acked: RecentIds;
  readonly #logger: Logger;

  /** `rememberedAcks`: how many acknowledged messages are remembered to recognise redeliveries. */
  constructor(rememberedAcks: number, logger: Logger) {
    this.#acked = new RecentIds(rememberedAcks);
    this.#logger = logger;
    this.#queue.close();
  }

  /** Starts taking messages (again). */
  open(): void {
    this.#queue.reopen();
  }

  /** A message as the client hands it over; nacked at once while closed. */
  readonly receive = (message: Message): void => {
    if (this.#queue.closed) {
      message.nack();
      return;
    }
    const key = deliveryKey(message);
    if (this.#acked.has(key)) {
      this.#logger.debug('run event redelivered after it was acknowledged; acknowledged again', { messageId: message.id });
      message.ack();
      return;
    }
    const first = this.#inFlight.get(key);
    if (first) {
      first.duplicates.push(message);
      return;
    }
    const delivery: Delivery = { message, duplicates: [] };
    this.#inFlight.set(key, delivery);
    this.#queue.push(delivery);
  };

  /** The next message to hand out, once there is one; `undefined` once closed. */
  async next(): Promise<RunEventMessage | undefined> {
    const delivery = await this.#queue.take();
    return delivery && this.#handOut(delivery);
  }

  /** Stops handing out (ending every wait) and nacks what was never handed out. */
  close(): void {
    this.#queue.close();
    for (const delivery of this.#queue.drain()) this.#settle(delivery, 'nack');
  }

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
    const key = deliveryKey(delivery.message);
    if (this.#inFlight.get(key) !== delivery) return;
    this.#inFlight.delete(key);
    for (const message of [delivery.message, ...delivery.duplicates]) {
      if (how === 'ack') message.ack();
      else message.nack();
    }
    if (how === 'ack') this.#acked.add(key);
  }
}
