import type { PubSub, Subscription } from '@google-cloud/pubsub';
import { RetryBackoff } from '../../application/retry-backoff.js';
import { errorMessage } from '../../domain/error-message.js';
import type { Logger } from '../../ports/logger.js';
import type { RunEventMessage, RunEventSource, RunEventSourceHealth } from '../../ports/run-event-source.js';
import { ConnectionHealth } from '../shared/connection-health.js';
import { PubSubDeliveries } from './pubsub-deliveries.js';

/** How {@link PubSubRunEventSource} notices a lost subscription and reconnects. */
export interface PubSubReconnectOptions {
  /** How long the subscription may stay unreachable before the source fails for good. */
  readonly budgetMs: number;
  /** First delay between checks while the subscription is unreachable; doubles, with jitter. */
  readonly initialDelayMs?: number;
  /** Largest delay between checks while the subscription is unreachable. */
  readonly maxDelayMs?: number;
  /** How often a connected subscription is checked, to notice a stream that died silently. */
  readonly checkIntervalMs?: number;
  /** Deadline of one check. */
  readonly checkTimeoutMs?: number;
  /** Jitter source of the delays; tests pin it. */
  readonly random?: () => number;
}

/**
 * The defaults of {@link PubSubReconnectOptions}. The module bounds the client's own stream retry
 * and the gRPC channel's reconnect backoff by the same `maxDelayMs`: left at their defaults (60 s
 * and 120 s), they grow during an outage until reception resumes only a minute or more after
 * Pub/Sub is back, which is what was measured before.
 */
export const pubsubReconnectDefaults = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 5000,
  // One GetSubscription call per replica every 30 s is far below the administrative quota.
  checkIntervalMs: 30_000,
  checkTimeoutMs: 10_000,
});

/** What {@link PubSubRunEventSource} reads from. */
export interface PubSubRunEventSourceOptions {
  /** The client; closed by {@link PubSubRunEventSource.close}. */
  readonly pubsub: PubSub;
  /**
   * Makes the subscription object: once at start, and again whenever the client has given the
   * previous one up. Configured with flow control (so Pub/Sub never hands over more than the
   * pipeline can hold) and the WAIT close behaviour (so in-flight messages finish).
   */
  readonly subscribe: () => Subscription;
  readonly logger: Logger;
  readonly reconnect: PubSubReconnectOptions;
  /** How many acknowledged message ids are remembered to recognise redeliveries. */
  readonly rememberedAcks?: number;
}

/** One subscription object with the listeners this source put on it. */
interface Generation {
  readonly subscription: Subscription;
  readonly onError: (error: Error) => void;
  readonly onClose: () => void;
  readonly onDebug: () => void;
}

/**
 * Run events from the Pub/Sub subscription the Cloud Logging sink writes to, handed out as
 * {@link PubSubDeliveries} describes.
 *
 * The client retries a streaming pull that ends with a transient status by itself, and says so
 * only in `debug` events; one it does not retry (NOT_FOUND once a subscription was deleted and
 * created again) ends in `error` and `close`, after which the subscription object receives
 * nothing more. So the source checks the subscription (a GetSubscription call) soon after any
 * such sign and every `checkIntervalMs` besides: a failed check means "not connected", and the
 * checks go on with backoff until one succeeds, when a given-up subscription object is replaced
 * by a fresh one. Lost for longer than `budgetMs`, the source fails for good.
 */
export class PubSubRunEventSource implements RunEventSource {
  readonly #options: PubSubRunEventSourceOptions;
  readonly #reconnect: Required<Omit<PubSubReconnectOptions, 'random'>>;
  readonly #backoff: RetryBackoff;
  readonly #logger: Logger;
  /** Closed while the source is not receiving. */
  readonly #deliveries: PubSubDeliveries;
  #current: Generation | undefined;
  /** The client gave the current subscription object up: the next good check replaces it. */
  #replace = false;
  #health: ConnectionHealth | undefined;
  #checkTimer: NodeJS.Timeout | undefined;
  #checkDue = 0;
  #checkAttempt = 0;
  #checking = false;
  #running = false;
  #failure: Error | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: PubSubRunEventSourceOptions) {
    this.#options = options;
    this.#reconnect = { ...pubsubReconnectDefaults, ...options.reconnect };
    this.#backoff = new RetryBackoff({
      initialMs: this.#reconnect.initialDelayMs,
      maxMs: this.#reconnect.maxDelayMs,
      ...(options.reconnect.random ? { random: options.reconnect.random } : {}),
    });
    this.#logger = options.logger;
    this.#deliveries = new PubSubDeliveries(options.rememberedAcks ?? 10_000, options.logger);
  }

  async start(): Promise<void> {
    const subscription = this.#options.subscribe();
    const name = subscription.name;
    let exists: boolean;
    try {
      [exists] = await subscription.exists();
    } catch (error) {
      throw new Error(`cannot check Pub/Sub subscription ${name}: ${errorMessage(error)}`, {
        cause: error,
      });
    }
    if (!exists) {
      throw new Error(`Pub/Sub subscription ${name} does not exist (set by PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION)`);
    }
    this.#deliveries.open();
    this.#failure = undefined;
    this.#health = new ConnectionHealth({
      name: `Pub/Sub subscription ${name}`,
      budgetMs: this.#reconnect.budgetMs,
      logger: this.#logger,
      onGiveUp: (failure) => this.#giveUp(failure),
    });
    this.#running = true;
    this.#attach(subscription);
    this.#health.connected();
    this.#scheduleCheck(this.#reconnect.checkIntervalMs);
    this.#logger.info('receiving run events from Pub/Sub', { subscription: name });
  }

  async *messages(): AsyncIterable<RunEventMessage> {
    for (let message = await this.#deliveries.next(); message; message = await this.#deliveries.next()) yield message;
    if (this.#failure) throw this.#failure;
  }

  async stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    await this.#stopping;
  }

  /** Connected while the last check of the subscription succeeded and the client has not given it up since. */
  health(): RunEventSourceHealth {
    return this.#health?.health() ?? { connected: false, reason: 'not started', reconnects: 0 };
  }

  /** Stops receiving and closes the client. */
  async close(): Promise<void> {
    await this.stop();
    await this.#options.pubsub.close();
  }

  async #stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#checkTimer);
    this.#health?.close();
    const current = this.#current;
    current?.subscription.removeListener('message', this.#deliveries.receive);
    // Messages never handed out go straight back; handed-out ones are waited for by the close.
    this.#deliveries.close();
    if (!current) return;
    await current.subscription.close();
    current.subscription.removeListener('error', current.onError);
    current.subscription.removeListener('close', current.onClose);
    current.subscription.removeListener('debug', current.onDebug);
  }

  #attach(subscription: Subscription): void {
    const generation: Generation = {
      subscription,
      onError: (error) => this.#onGivenUp(generation, errorMessage(error)),
      onClose: () => this.#onGivenUp(generation, 'the Pub/Sub client closed the subscription'),
      onDebug: () => this.#onClientTrouble(generation),
    };
    subscription.on('error', generation.onError);
    subscription.on('close', generation.onClose);
    subscription.on('debug', generation.onDebug);
    subscription.on('message', this.#deliveries.receive);
    this.#current = generation;
    this.#replace = false;
  }

  #isCurrent(generation: Generation): boolean {
    return this.#running && this.#current === generation && !this.#health?.failed;
  }

  // An error the client does not retry, or a close nobody asked for: this object receives
  // nothing more. Its error listener stays (a later 'error' without one would be thrown by the
  // emitter); without its message listener the client closes it if it has not already.
  #onGivenUp(generation: Generation, reason: string): void {
    // The close that follows an error would only hide the error.
    if (!this.#isCurrent(generation) || this.#replace) return;
    this.#replace = true;
    generation.subscription.removeListener('message', this.#deliveries.receive);
    this.#health?.lost(reason);
    this.#scheduleCheck(this.#backoff.delayMs(this.#checkAttempt++));
  }

  // A streaming pull that ended (retried by the client), an acknowledgement that failed: a
  // check soon tells whether the subscription is still reachable. A stream that ends now and
  // then on a healthy Pub/Sub passes the check and never counts as a loss.
  #onClientTrouble(generation: Generation): void {
    if (this.#isCurrent(generation)) this.#scheduleCheck(this.#reconnect.initialDelayMs);
  }

  /** Schedules the next check in `delayMs`, unless one is due sooner. */
  #scheduleCheck(delayMs: number): void {
    const due = Date.now() + delayMs;
    if (this.#checkTimer !== undefined && this.#checkDue <= due) return;
    clearTimeout(this.#checkTimer);
    this.#checkDue = due;
    this.#checkTimer = setTimeout(() => {
      this.#check().catch((error: unknown) =>
        this.#logger.error('checking the Pub/Sub subscription failed unexpectedly', { error: errorMessage(error) }),
      );
    }, delayMs);
    this.#checkTimer.unref();
  }

  async #check(): Promise<void> {
    this.#checkTimer = undefined;
    if (this.#checking || !this.#running || this.#health?.failed) return;
    this.#checking = true;
    // The client skips the 'close' event when its close timeout is zero: a subscription object
    // found closed is replaced all the same.
    const replacing = this.#replace || !this.#current!.subscription.isOpen;
    const candidate = replacing ? this.#options.subscribe() : this.#current!.subscription;
    let problem: string | undefined;
    try {
      // One attempt with its own deadline: the client's default retries a call for a minute.
      await candidate.getMetadata({ timeout: this.#reconnect.checkTimeoutMs, retry: null });
    } catch (error) {
      problem = errorMessage(error);
    } finally {
      this.#checking = false;
    }
    if (!this.#running || this.#health?.failed) return;
    if (problem === undefined && replacing) this.#attach(candidate);
    if (problem !== undefined || this.#replace) {
      // The object may have been given up while the check was under way.
      if (problem !== undefined) this.#health?.lost(problem);
      this.#scheduleCheck(this.#backoff.delayMs(this.#checkAttempt++));
      return;
    }
    this.#checkAttempt = 0;
    this.#health?.connected();
    this.#scheduleCheck(this.#reconnect.checkIntervalMs);
  }

  #giveUp(failure: string): void {
    this.#failure = new Error(failure);
    clearTimeout(this.#checkTimer);
    this.#current?.subscription.removeListener('message', this.#deliveries.receive);
    // Nothing reads the queue any more: messages still arriving are nacked on arrival.
    this.#deliveries.close();
  }
}
