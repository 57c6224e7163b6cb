import type { Logger } from '../../ports/logger.js';
import type { RunEventSourceHealth } from '../../ports/run-event-source.js';

/** Options of {@link ConnectionHealth}. */
export interface ConnectionHealthOptions {
  /** What the source is connected to, as log lines and the failure name it ("Pub/Sub subscription …"). */
  readonly name: string;
  /** How long the connection may stay lost before the source gives up for good. */
  readonly budgetMs: number;
  readonly logger: Logger;
  /** Called once, when the budget is spent, with the text {@link RunEventSourceHealth.failure} then reports. */
  readonly onGiveUp: (failure: string) => void;
  /** Milliseconds since the epoch; injectable so tests can pin it. */
  readonly now?: () => number;
}

/** `250 ms`, `1.5 s`, `300 s`: as precise as a reader of the log line needs. */
function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/**
 * The connection state of an event source that reconnects by itself: connected, or lost since
 * when and why; how often it came back; and, once it stayed lost for longer than the budget, the
 * failure that ends it. A source reports what it observes (`connected`, `lost`) and keeps trying;
 * this decides what readiness, liveness and the metrics see, and logs each change once rather
 * than once per failed attempt.
 */
export class ConnectionHealth {
  readonly #options: ConnectionHealthOptions;
  readonly #now: () => number;
  #connected = false;
  #everConnected = false;
  #lostAt: number | undefined;
  #reason: string | undefined;
  #failure: string | undefined;
  #reconnects = 0;
  #budgetTimer: NodeJS.Timeout | undefined;

  constructor(options: ConnectionHealthOptions) {
    if (!(options.budgetMs > 0)) throw new RangeError('budgetMs must be positive');
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** True once the budget was spent; the source should stop trying. */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /** The source receives (again, or for the first time). */
  connected(): void {
    if (this.#failure !== undefined || this.#connected) return;
    clearTimeout(this.#budgetTimer);
    if (this.#everConnected) {
      this.#reconnects += 1;
      this.#options.logger.info(`${this.#options.name} reconnected`, { downForMs: this.#now() - (this.#lostAt ?? this.#now()) });
    }
    this.#connected = true;
    this.#everConnected = true;
    this.#lostAt = undefined;
    this.#reason = undefined;
  }

  /** The source cannot receive now, for `reason` (the last error); the budget runs from the first loss. */
  lost(reason: string): void {
    if (this.#failure !== undefined) return;
    this.#reason = reason;
    if (this.#lostAt !== undefined) return;
    this.#connected = false;
    this.#lostAt = this.#now();
    this.#options.logger.warn(`${this.#options.name} lost; reconnecting`, { reason, reconnectBudgetMs: this.#options.budgetMs });
    this.#budgetTimer = setTimeout(() => this.#giveUp(), this.#options.budgetMs);
    this.#budgetTimer.unref();
  }

  /** The state as the port reports it. */
  health(): RunEventSourceHealth {
    return {
      connected: this.#connected,
      ...(this.#reason !== undefined ? { reason: this.#reason } : {}),
      ...(this.#failure !== undefined ? { failure: this.#failure } : {}),
      reconnects: this.#reconnects,
    };
  }

  /** Stops the budget clock: the source is stopping, which is no loss of connection. */
  close(): void {
    clearTimeout(this.#budgetTimer);
  }

  #giveUp(): void {
    const { name, budgetMs, logger, onGiveUp } = this.#options;
    const downForMs = this.#now() - (this.#lostAt ?? this.#now());
    this.#failure = `${name} unreachable for ${duration(downForMs)}, beyond the reconnect budget of ${duration(budgetMs)}: ${this.#reason ?? 'unknown error'}`;
    logger.error(`${name} lost for good; no more run events are received`, { failure: this.#failure, downForMs });
    onGiveUp(this.#failure);
  }
}
