import { toRunCompletionEventData } from '../domain/run-completion-event.js';
import type { Clock } from '../ports/clock.js';
import type { EventPipelineMetrics } from '../ports/event-pipeline-metrics.js';
import type { Logger } from '../ports/logger.js';
import type { DeliveryOutcome, RunCompletionSink } from '../ports/run-completion-sink.js';
import type { RunEventMessage, RunEventSource } from '../ports/run-event-source.js';
import type { RunEventNormaliser } from '../ports/run-event-normaliser.js';
import { abortableDelay } from './abortable-delay.js';
import { ConcurrencyGate } from './concurrency-gate.js';
import type { EventProcessingOutcome, SingleEventProcessor } from './event-processing-outcome.js';
import { RetryBackoff } from './retry-backoff.js';

/** Tuning of the {@link EventPipeline}. */
export interface EventPipelineOptions {
  /** Messages processed at once; the source is not read further while all slots are busy. */
  readonly concurrency: number;
  /** How long, from `firstSeenAt`, a failing message is retried before it is dropped. */
  readonly maxAgeMs: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /** Jitter source for the backoff; tests pin it. */
  readonly random?: () => number;
}

/** What the pipeline is built from. */
export interface EventPipelineDependencies {
  readonly source: RunEventSource;
  readonly normaliser: RunEventNormaliser;
  readonly sink: RunCompletionSink;
  readonly metrics: EventPipelineMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
}

/**
 * Moves run events from a source to the operator: normalise, deliver, then settle the message at
 * its source. Guarantees at-least-once delivery: a message is acknowledged only after a final
 * answer (delivered, permanently rejected, invalid, not a completion), retried with backoff while
 * delivery fails, dropped with an error line carrying the whole event only once it is older than
 * `maxAgeMs`, and handed back to the source on shutdown.
 */
export class EventPipeline implements SingleEventProcessor {
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

  /** True once the source is connected and messages are being pulled. */
  isReady(): boolean {
    return this.#ready && !this.#stopping.signal.aborted;
  }

  /**
   * Why the pipeline can no longer receive events (its source failed for good), or `undefined`
   * while it is healthy. Liveness reports it, so that the orchestrator restarts the process.
   */
  failure(): string | undefined {
    return this.#failure;
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

  /** Normalises and delivers one payload once; used by relays that answer their sender. */
  async processOnce(payload: unknown, id: string): Promise<EventProcessingOutcome> {
    return this.#attempt(payload, id);
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
    const signal = this.#stopping.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => resolve(false);
      signal.addEventListener('abort', onAbort, { once: true });
      void this.#gate.acquire().then(() => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) this.#gate.release();
        resolve(!signal.aborted);
      });
    });
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
        const outcome = await this.#attempt(message.payload, message.id);
        if (outcome !== 'retry') {
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

  async #attempt(payload: unknown, id: string): Promise<EventProcessingOutcome> {
    const { normaliser, sink, metrics, logger } = this.#deps;
    let normalised;
    try {
      normalised = await normaliser.normalise(payload);
    } catch (error) {
      logger.warn('run event could not be normalised now; retrying later', { messageId: id, error: String(error) });
      return 'retry';
    }
    switch (normalised.kind) {
      case 'ignore':
        logger.debug('run event ignored', { messageId: id, reason: normalised.reason });
        return 'ignored';
      case 'invalid':
        metrics.countSendResult('Discarded');
        logger.warn('run event is malformed; dropped', { messageId: id, reason: normalised.reason, payload });
        return 'invalid';
      case 'completed':
        break;
    }
    const { event } = normalised;
    let outcome: DeliveryOutcome;
    try {
      outcome = await sink.deliver(event);
    } catch (error) {
      // The port asks sinks to answer `retry` rather than throw; a sink that throws anyway
      // (a library user's own) must not strand the message.
      outcome = { kind: 'retry', reason: `the sink failed: ${String(error)}` };
    }
    switch (outcome.kind) {
      case 'delivered':
        metrics.countSendResult('Success');
        logger.info('run completion delivered', { messageId: id, runId: event.runId, status: event.status });
        return 'delivered';
      case 'rejected':
        metrics.countSendResult('UnrecoverableFailure');
        // Only a dropped event is logged whole, as the webhook would have received it.
        logger.error('run completion rejected by the operator; dropped', {
          messageId: id,
          reason: outcome.reason,
          event: toRunCompletionEventData(event),
        });
        return 'rejected';
      case 'retry':
        metrics.countSendResult('RecoverableFailure');
        logger.warn('run completion delivery failed; retrying later', { messageId: id, reason: outcome.reason, runId: event.runId });
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
