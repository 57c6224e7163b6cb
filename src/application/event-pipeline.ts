import type { Clock } from '../ports/clock.js';
import type { EventPipelineMetrics } from '../ports/event-pipeline-metrics.js';
import type { Logger } from '../ports/logger.js';
import type { RunEventMessage, RunEventSource } from '../ports/run-event-source.js';
import { type EventProcessingOutcome, isRetryableOutcome, type SingleEventProcessor } from '../ports/single-event-processor.js';
import { abortableDelay } from './abortable-delay.js';
import { abortableWait } from './abortable-wait.js';
import { ConcurrencyGate } from './concurrency-gate.js';
import { RetryBackoff } from './retry-backoff.js';

/**
 * Tuning of the {@link EventPipeline}. The events section of the service configuration has these
 * fields (and more), so it can be passed as it is.
 */
export interface EventPipelineOptions {
  /** Messages processed at once; the source is not read further while all slots are busy. */
  readonly concurrency: number;
  /** How long, from `firstSeenAt`, a failing message is retried before it is dropped. */
  readonly maxAgeMs: number;
  /** First retry delay; doubles up to `retryMaxMs`, with jitter. */
  readonly retryInitialMs: number;
  /** Largest retry delay. */
  readonly retryMaxMs: number;
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

/**
 * Moves run events from a source to the operator: an attempt at each message (its processor
 * normalises and delivers), then the message is settled at its source. Guarantees at-least-once
 * delivery: a message is acknowledged only after a final answer (delivered, permanently
 * rejected, invalid, not a completion), retried with backoff while delivery fails or the run is
 * not final yet, dropped with an error line carrying the whole event only once it is older than
 * `maxAgeMs`, and handed back to the source on shutdown.
 */
export class EventPipeline {
  readonly #deps: EventPipelineDependencies;
  readonly #options: EventPipelineOptions;
  readonly #gate: ConcurrencyGate;
  readonly #backoff: RetryBackoff;
  readonly #stopping = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #unsettled = new Set<SettleOnce>();
  #awaitingRetry = 0;
  #ready = false;
  #failure: string | undefined;
  #loop: Promise<void> | undefined;

  constructor(deps: EventPipelineDependencies, options: EventPipelineOptions) {
    if (!(options.maxAgeMs >= 0)) throw new RangeError('maxAgeMs must not be negative');
    this.#deps = deps;
    this.#options = options;
    this.#gate = new ConcurrencyGate(options.concurrency);
    this.#backoff = new RetryBackoff({
      initialMs: options.retryInitialMs,
      maxMs: options.retryMaxMs,
      ...(options.random ? { random: options.random } : {}),
    });
  }

  /** True once the source is started and while it reports itself connected, until stop. */
  isReady(): boolean {
    return this.#ready && !this.#stopping.signal.aborted && (this.#deps.source.health?.().connected ?? true);
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
   * Stops pulling, lets in-flight messages finish for up to `timeoutMs`, and hands back every
   * message not settled by then so the source delivers it again.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopping.abort();
    this.#ready = false;
    // The source stops while in-flight messages drain, not before: a source that waits for its
    // handed-out messages to settle (Pub/Sub's WAIT close) would otherwise spend the budget
    // before the drain even starts.
    const sourceStopped = this.#deps.source.stop();
    const drained = Promise.all([...this.#inFlight]).then(() => true);
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
      while (!this.#stopping.signal.aborted) {
        if (!(await this.#acquireSlot())) break;
        const next = this.#stopping.signal.aborted ? undefined : await iterator.next();
        if (!next || next.done) {
          this.#gate.release();
          break;
        }
        const task = this.#handle(new SettleOnce(next.value)).finally(() => {
          this.#gate.release();
          this.#inFlight.delete(task);
          this.#deps.metrics.setInFlight(this.#inFlight.size);
        });
        this.#inFlight.add(task);
        this.#deps.metrics.setInFlight(this.#inFlight.size);
      }
    } finally {
      await iterator.return?.();
    }
  }

  // Waiting for a slot must end with stop(): when every slot is held by a delivery that hangs,
  // the loop would otherwise only end once those deliveries time out, past the shutdown budget.
  #acquireSlot(): Promise<boolean> {
    if (this.#stopping.signal.aborted) return Promise.resolve(false);
    const granted = this.#gate.acquire();
    // A slot granted after the stop is nobody's: hand it straight back.
    return abortableWait(granted, this.#stopping.signal, () => void granted.then(() => this.#gate.release()));
  }

  async #handle(message: SettleOnce): Promise<void> {
    const { clock, logger, metrics } = this.#deps;
    const receivedAt = clock.now().getTime();
    this.#unsettled.add(message);
    try {
      for (let attempt = 0; ; attempt += 1) {
        // Checked before every attempt, the first included: an event already past the maximum
        // age (a long outage, a backlog) is dropped before sending, as the Go service does.
        const age = clock.now().getTime() - message.firstSeenAt.getTime();
        if (age >= this.#options.maxAgeMs) {
          metrics.countSendResult('Discarded');
          logger.error('run event dropped: older than the maximum retry age and still undelivered', {
            messageId: message.id,
            ageMs: age,
            maxAgeMs: this.#options.maxAgeMs,
            attempts: attempt,
            payload: message.payload,
          });
          await message.ack();
          return;
        }
        const outcome = await this.#attemptAt(message);
        if (!isRetryableOutcome(outcome)) {
          await message.ack();
          return;
        }
        this.#setAwaitingRetry(+1);
        const waited = await abortableDelay(this.#backoff.delayMs(attempt), this.#stopping.signal);
        this.#setAwaitingRetry(-1);
        if (!waited) {
          await message.release();
          return;
        }
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

  #setAwaitingRetry(delta: number): void {
    this.#awaitingRetry += delta;
    this.#deps.metrics.setAwaitingRetry(this.#awaitingRetry);
  }
}

/** Guards a message so that exactly one of ack or release reaches the source. */
class SettleOnce {
  #settled = false;

  constructor(private readonly message: RunEventMessage) {}

  get id(): string {
    return this.message.id;
  }

  get payload(): unknown {
    return this.message.payload;
  }

  get firstSeenAt(): Date {
    return this.message.firstSeenAt;
  }

  ack(): Promise<void> {
    return this.#settle(() => this.message.ack());
  }

  release(): Promise<void> {
    return this.#settle(() => this.message.release());
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
