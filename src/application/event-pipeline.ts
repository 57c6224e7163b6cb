import type { Clock } from '../ports/clock.js';
import type { EventPipelineMetrics } from '../ports/event-pipeline-metrics.js';
import type { Logger } from '../ports/logger.js';
import type { RunEventSource } from '../ports/run-event-source.js';
import { type EventProcessingOutcome, isRetryableOutcome, type SingleEventProcessor } from '../ports/single-event-processor.js';
import { ConcurrencyGate } from './concurrency-gate.js';
import { RetryBackoff } from './retry-backoff.js';
import { RetryScheduler } from './retry-scheduler.js';
import { SettleOnce } from './settle-once.js';

/**
 * Tuning of the {@link EventPipeline}. The events section of the service configuration has these
 * fields (and more), so it can be passed as it is.
 */
export interface EventPipelineOptions {
  /** Attempts running at once; the source is not read further while all slots are busy. */
  readonly concurrency: number;
  /** How long, from `firstSeenAt`, a failing message is retried before it is dropped. */
  readonly maxAgeMs: number;
  /** First retry delay; doubles up to `retryMaxMs`, with jitter. */
  readonly retryInitialMs: number;
  /** Largest retry delay. */
  readonly retryMaxMs: number;
  /**
   * Most messages held at once, waiting for a retry or being attempted. While that many are held
   * no new message is pulled (the rest stay at their source) until one settles, so no more than
   * this many ever wait for a retry. Left out, 1000, the service's `EVENTS_MAX_AWAITING_RETRY`
   * default.
   */
  readonly maxAwaitingRetry?: number;
  /** Jitter source for the backoff; tests pin it. */
  readonly random?: () => number;
}

/** What the pipeline is built from. */
export interface EventPipelineDependencies {
  readonly source: RunEventSource;
  /** Makes each attempt at a message: normalise, deliver, count, log. */
  readonly processor: SingleEventProcessor;
  readonly metrics: EventPipelineMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
}

const defaultMaxAwaitingRetry = 1000;

/**
 * Moves run events from a source to the operator: an attempt at each message (its processor
 * normalises and delivers), then the message is settled at its source. Guarantees at-least-once
 * delivery: a message is acknowledged only after a final answer (delivered, permanently
 * rejected, invalid, not a completion), retried with backoff while delivery fails or the run is
 * not final yet, dropped with an error line carrying the whole event only once it is older than
 * `maxAgeMs`, and handed back to the source on shutdown.
 *
 * A slot is held only while an attempt runs. A message waiting for its next attempt keeps its
 * lease at the source (it stays unsettled) but holds no slot, so events that fail for good do
 * not stall the ones behind them; what may wait is bounded by `maxAwaitingRetry`.
 */
export class EventPipeline {
  readonly #deps: EventPipelineDependencies;
  readonly #options: EventPipelineOptions;
  readonly #gate: ConcurrencyGate;
  readonly #retries: RetryScheduler;
  readonly #maxHeld: number;
  readonly #tasks = new Set<Promise<void>>();
  readonly #unsettled = new Set<SettleOnce>();
  readonly #awaitingRetry = new Set<SettleOnce>();
  #inFlight = 0;
  #roomChanged: (() => void) | undefined;
  #stopped = false;
  #ready = false;
  #failure: string | undefined;
  #loop: Promise<void> | undefined;

  constructor(deps: EventPipelineDependencies, options: EventPipelineOptions) {
    if (!(options.maxAgeMs >= 0)) throw new RangeError('maxAgeMs must not be negative');
    const maxHeld = options.maxAwaitingRetry ?? defaultMaxAwaitingRetry;
    if (!Number.isInteger(maxHeld) || maxHeld < 1) throw new RangeError('maxAwaitingRetry must be a positive integer');
    this.#deps = deps;
    this.#options = options;
    this.#maxHeld = maxHeld;
    this.#gate = new ConcurrencyGate(options.concurrency);
    this.#retries = new RetryScheduler(
      new RetryBackoff({
        initialMs: options.retryInitialMs,
        maxMs: options.retryMaxMs,
        ...(options.random ? { random: options.random } : {}),
      }),
    );
  }

  /** True once the source is started and while it reports itself connected, until stop. */
  isReady(): boolean {
    return this.#ready && !this.#stopped && (this.#deps.source.health?.().connected ?? true);
  }

  /**
   * Why the pipeline can no longer receive events (its source failed for good, or gave up
   * reconnecting), or `undefined` while it is healthy. Liveness reports it, so that the
   * orchestrator restarts the process.
   */
  failure(): string | undefined {
    return this.#deps.source.health?.().failure ?? this.#failure;
  }

  /** Connects the source and starts pulling; rejects when the source cannot start. */
  async start(): Promise<void> {
    await this.#deps.source.start();
    this.#ready = true;
    this.#loop = this.#pull().catch((error: unknown) => {
      this.#ready = false;
      this.#failure = `run event source failed: ${String(error)}`;
      this.#deps.logger.error('run event source failed; no more events are received', { error: String(error) });
    });
  }

  /**
   * Stops pulling, hands back at once every message waiting for a retry or a slot, lets
   * in-flight attempts finish for up to `timeoutMs`, and hands back every message not settled by
   * then so the source delivers it again.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopped = true;
    this.#ready = false;
    this.#retries.cancelAll();
    this.#gate.close();
    this.#wakePuller();
    // The source stops while in-flight messages drain, not before: a source that waits for its
    // handed-out messages to settle (Pub/Sub's WAIT close) would otherwise spend the budget
    // before the drain even starts.
    const sourceStopped = this.#deps.source.stop();
    const drained = Promise.all([...this.#tasks]).then(() => true);
    let budget: NodeJS.Timeout | undefined;
    const finished = await Promise.race([drained, new Promise<boolean>((resolve) => (budget = setTimeout(resolve, timeoutMs, false)))]);
    clearTimeout(budget);
    if (!finished) {
      const handedBack = [...this.#unsettled];
      this.#deps.logger.warn('shutdown budget spent; handing unsettled run events back to the source', { count: handedBack.length });
      await Promise.all(handedBack.map((message) => message.release()));
    }
    await sourceStopped;
    await this.#loop;
  }

  async #pull(): Promise<void> {
    const iterator = this.#deps.source.messages()[Symbol.asyncIterator]();
    try {
      while (await this.#roomToPull()) {
        const next = await iterator.next();
        if (next.done) break;
        const task = this.#handle(new SettleOnce(next.value)).finally(() => {
          this.#tasks.delete(task);
          this.#wakePuller();
        });
        this.#tasks.add(task);
      }
    } finally {
      await iterator.return?.();
    }
  }

  // The next message is pulled only when it can be attempted at once and would not take the
  // held messages past the bound; otherwise the puller sleeps until an attempt ends or a message
  // settles. No slot is taken while the source is awaited: a quiet source would keep it from
  // the retries that fall due meanwhile.
  async #roomToPull(): Promise<boolean> {
    while (!this.#stopped) {
      if (this.#gate.free > 0 && this.#unsettled.size < this.#maxHeld) return true;
      await new Promise<void>((resolve) => (this.#roomChanged = resolve));
    }
    return false;
  }

  #wakePuller(): void {
    const wake = this.#roomChanged;
    this.#roomChanged = undefined;
    wake?.();
  }

  async #handle(message: SettleOnce): Promise<void> {
    const { clock, logger, metrics } = this.#deps;
    const receivedAt = clock.now().getTime();
    // Counted before the first await, so that the puller's next look at the bound includes it.
    this.#unsettled.add(message);
    try {
      for (let attempt = 0; ; attempt += 1) {
        if (!(await this.#turn(message, attempt))) {
          await message.release();
          return;
        }
        if (await this.#inSlot(() => this.#attemptAndSettle(message, attempt))) return;
      }
    } catch (error) {
      // Settling itself failed (the source's ack or release threw). Hand the message back once
      // more; a source that still cannot take it redelivers it on its own terms (Pub/Sub after
      // the ack deadline, the workflow watch at its next re-list).
      logger.error('run event could not be settled at its source; handing it back', {
        messageId: message.id,
        error: String(error),
      });
      await message.release().catch(() => undefined);
    } finally {
      this.#unsettled.delete(message);
      metrics.observeSettleLatency((clock.now().getTime() - receivedAt) / 1000);
    }
  }

  // Resolves to true once `message` holds a slot for attempt number `attempt`, false on
  // shutdown. Before a retry it waits out its backoff holding no slot, and it counts as awaiting
  // retry until its attempt starts (the wait for a free slot included).
  async #turn(message: SettleOnce, attempt: number): Promise<boolean> {
    if (attempt === 0) return this.#gate.acquire();
    this.#setAwaitingRetry(message, true);
    try {
      return (await this.#retries.wait(attempt - 1)) && (await this.#gate.acquire());
    } finally {
      this.#setAwaitingRetry(message, false);
    }
  }

  async #inSlot<T>(work: () => Promise<T>): Promise<T> {
    this.#setInFlight(+1);
    try {
      return await work();
    } finally {
      this.#setInFlight(-1);
      this.#gate.release();
      this.#wakePuller();
    }
  }

  // One attempt, and the settlement it leads to; true once the message is settled.
  async #attemptAndSettle(message: SettleOnce, attempt: number): Promise<boolean> {
    // Checked before every attempt, the first included: an event already past the maximum age
    // (a long outage, a backlog) is dropped before sending, as the Go service does.
    const age = this.#deps.clock.now().getTime() - message.firstSeenAt.getTime();
    if (age >= this.#options.maxAgeMs) {
      this.#deps.metrics.countSendResult('Discarded');
      this.#deps.logger.error('run event dropped: older than the maximum retry age and still undelivered', {
        messageId: message.id,
        ageMs: age,
        maxAgeMs: this.#options.maxAgeMs,
        attempts: attempt,
        payload: message.payload,
      });
      await message.ack();
      return true;
    }
    if (isRetryableOutcome(await this.#attemptAt(message))) return false;
    await message.ack();
    return true;
  }

  // The port asks for an outcome, not a throw; a processor that throws anyway (a library user's
  // own) must not strand the message, so the throw counts as a failure worth retrying.
  async #attemptAt(message: SettleOnce): Promise<EventProcessingOutcome> {
    try {
      return await this.#deps.processor.processOnce(message.payload, message.id);
    } catch (error) {
      this.#deps.logger.warn('run event processing failed; retrying later', { messageId: message.id, error: String(error) });
      return 'retry';
    }
  }

  #setInFlight(delta: number): void {
    this.#inFlight += delta;
    this.#deps.metrics.setInFlight(this.#inFlight);
  }

  #setAwaitingRetry(message: SettleOnce, waiting: boolean): void {
    if (waiting) this.#awaitingRetry.add(message);
    else this.#awaitingRetry.delete(message);
    this.#deps.metrics.setAwaitingRetry(this.#awaitingRetry.size);
  }
}
