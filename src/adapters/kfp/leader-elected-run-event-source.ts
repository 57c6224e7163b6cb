import { abortableDelay } from '../../application/abortable-delay.js';
import { RetryBackoff } from '../../application/retry-backoff.js';
import { errorMessage } from '../../domain/error-message.js';
import type { LeaderElector, LeadershipListener } from '../../ports/leader-elector.js';
import type { Logger } from '../../ports/logger.js';
import type { RunEventMessage, RunEventSource, RunEventSourceHealth } from '../../ports/run-event-source.js';

/** Options of {@link LeaderElectedRunEventSource}. */
export interface LeaderElectedRunEventSourceOptions {
  readonly elector: LeaderElector;
  /** Builds the guarded source for one term of leadership; each term gets a fresh one. */
  readonly createSource: () => RunEventSource;
  readonly logger: Logger;
  /**
   * First delay before a term's source is started again after it failed to start (after
   * start-up; at start-up the failure rejects `start`); doubles up to `restartMaxDelayMs`.
   */
  readonly restartDelayMs?: number;
  readonly restartMaxDelayMs?: number;
}

const defaults = Object.freeze({ restartDelayMs: 1000, restartMaxDelayMs: 30_000 });

function changeSignal(): { readonly promise: Promise<void>; readonly resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** One period of leadership and the source that runs during it. */
interface Term {
  source: RunEventSource;
  /** Set when leadership ended: messages of the term are released, never acked. */
  ended: boolean;
  /** Set once the source started and its messages may be pulled. */
  ready: boolean;
  /** Ends the restart attempts of a source that failed to start. */
  readonly abort: AbortController;
  /** Resolves once the source started, or the term ended first; rejects on a start-up failure. */
  started: Promise<void>;
  /** Messages handed out and not settled yet. */
  unsettled: number;
  readonly whenSettled: Array<() => void>;
}

/**
 * A {@link RunEventSource} that runs only on the replica that leads: a {@link LeaderElector}
 * campaigns, and while this replica leads a fresh inner source (the Argo workflow watch) runs
 * and its messages are handed on. When leadership ends the inner source is stopped at once, and
 * the messages it handed out are released instead of acknowledged when they settle, so a
 * replica that no longer leads never marks an event as published; the next leader lists them
 * again (duplicates are bounded by what was in flight). `start` resolves once the election runs,
 * whether or not this replica leads, so a standby is ready (it serves the API). `stop` first
 * stops the inner source, then waits for its handed-out messages to settle (acknowledged by the
 * leader), and only then lets the elector release the lease.
 */
export class LeaderElectedRunEventSource implements RunEventSource {
  readonly #options: LeaderElectedRunEventSourceOptions;
  readonly #backoff: RetryBackoff;
  readonly #listener: LeadershipListener = {
    startedLeading: () => this.#beginTerm(),
    stoppedLeading: (reason) => this.#endTerm(reason),
  };
  #current: Term | undefined;
  #startingUp = false;
  /** Reconnections of the sources of terms that ended, so that the count only grows. */
  #pastReconnects = 0;
  /** A term's source that gave up: kept after the term ends, since a restart is still due. */
  #failure: string | undefined;
  #stopping: Promise<void> | undefined;
  /** Wakes a `messages()` iteration waiting for the next term. */
  #changed = changeSignal();

  constructor(options: LeaderElectedRunEventSourceOptions) {
    this.#options = options;
    this.#backoff = new RetryBackoff({
      initialMs: options.restartDelayMs ?? defaults.restartDelayMs,
      maxMs: options.restartMaxDelayMs ?? defaults.restartMaxDelayMs,
    });
  }

  /**
   * Starts the election; when this replica leads at once, also waits for the inner source to
   * start, so that an inner source that cannot start fails start-up (and the lease is let go).
   */
  async start(): Promise<void> {
    this.#startingUp = true;
    try {
      await this.#options.elector.start(this.#listener);
    } finally {
      this.#startingUp = false;
    }
    try {
      await this.#current?.started;
    } catch (error) {
      await this.#options.elector.stop();
      throw error;
    }
  }

  async *messages(): AsyncIterable<RunEventMessage> {
    let previous: Term | undefined;
    for (let term = await this.#nextTerm(previous); term; term = await this.#nextTerm(previous)) {
      previous = term;
      for await (const message of term.source.messages()) yield this.#guarded(term, message);
    }
  }

  /**
   * The health of the leading term's source; a standby watches nothing and counts as connected.
   * A term's source that gave up reconnecting reports its failure here, so the process restarts.
   */
  health(): RunEventSourceHealth {
    const term = this.#current;
    const inner = term && !term.ended ? term.source.health?.() : undefined;
    this.#failure ??= inner?.failure;
    const reconnects = this.#pastReconnects + (inner?.reconnects ?? 0);
    if (this.#failure !== undefined) return { connected: false, failure: this.#failure, reconnects };
    return inner ? { ...inner, reconnects } : { connected: true, reconnects };
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#wake();
      const term = this.#current;
      if (term && !term.ended) {
        term.abort.abort();
        await this.#stopSource(term);
        // Still leading: what is in flight is acknowledged by the leader, then the lease goes.
        await new Promise<void>((resolve) => (term.unsettled === 0 ? resolve() : term.whenSettled.push(resolve)));
      }
      await this.#options.elector.stop();
    })();
    return this.#stopping;
  }

  #beginTerm(): void {
    if (this.#stopping) return;
    const term: Term = {
      source: this.#options.createSource(),
      ended: false,
      ready: false,
      abort: new AbortController(),
      started: Promise.resolve(),
      unsettled: 0,
      whenSettled: [],
    };
    this.#current = term;
    term.started = this.#startSource(term, !this.#startingUp);
  }

  #endTerm(reason: string): void {
    const term = this.#current;
    if (!term || term.ended) return;
    term.ended = true;
    const ended = term.source.health?.();
    this.#pastReconnects += ended?.reconnects ?? 0;
    this.#failure ??= ended?.failure;
    term.abort.abort();
    if (term.unsettled > 0) {
      this.#options.logger.info('leadership ended with run events in flight; they are left to the next leader', {
        reason,
        inFlight: term.unsettled,
      });
    }
    void this.#stopSource(term);
    this.#wake();
  }

  async #startSource(term: Term, retry: boolean): Promise<void> {
    for (let attempt = 0; !term.ended; attempt += 1) {
      try {
        await term.source.start();
        if (term.ended) return;
        term.ready = true;
        this.#wake();
        return;
      } catch (error) {
        if (!retry) throw error;
        const delayMs = this.#backoff.delayMs(attempt);
        this.#options.logger.error('run event source did not start while leading; retrying', { error: errorMessage(error), delayMs });
        if (!(await abortableDelay(delayMs, term.abort.signal))) return;
        term.source = this.#options.createSource();
      }
    }
  }

  // Stopped at once, and again once a start still under way has finished: a source stopped in
  // the middle of connecting could otherwise open its watch after the first stop.
  async #stopSource(term: Term): Promise<void> {
    const stop = (): Promise<void> =>
      term.source.stop().catch((error: unknown) => {
        this.#options.logger.warn('run event source did not stop cleanly', { error: errorMessage(error) });
      });
    await stop();
    await term.started.catch(() => undefined);
    await stop();
  }

  async #nextTerm(previous: Term | undefined): Promise<Term | undefined> {
    for (;;) {
      if (this.#stopping) return undefined;
      const term = this.#current;
      if (term && term !== previous && term.ready && !term.ended) return term;
      await this.#changed.promise;
    }
  }

  #wake(): void {
    this.#changed.resolve();
    this.#changed = changeSignal();
  }

  #guarded(term: Term, message: RunEventMessage): RunEventMessage {
    term.unsettled += 1;
    let settled = false;
    const settle = async (how: () => Promise<void>): Promise<void> => {
      try {
        await how();
      } finally {
        if (!settled) {
          settled = true;
          term.unsettled -= 1;
          if (term.unsettled === 0) for (const resolve of term.whenSettled.splice(0)) resolve();
        }
      }
    };
    return {
      id: message.id,
      payload: message.payload,
      firstSeenAt: message.firstSeenAt,
      // After the term, acknowledging would mark the event published from a replica that no
      // longer leads; handing it back leaves it to the next leader's list instead.
      ack: () => settle(() => (term.ended ? message.release() : message.ack())),
      release: () => settle(() => message.release()),
    };
  }
}
