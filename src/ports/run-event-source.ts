/**
 * One raw event from a backend, with the handle that settles it at its source. Exactly one of
 * `ack` or `release` is called per message.
 */
export interface RunEventMessage {
  /** A short identifier for logs (message id, workflow name…). */
  readonly id: string;
  /** The backend's event as received (a Cloud Logging entry, a Workflow object, …). */
  readonly payload: unknown;
  /** When the source first saw this event; how long it may be retried is measured from here. */
  readonly firstSeenAt: Date;
  /** Settles the message for good: delivered, permanently rejected, or dropped on purpose. */
  ack(): Promise<void>;
  /** Hands the message back so the source delivers it again later (used on shutdown). */
  release(): Promise<void>;
}

/**
 * How a source's connection to its backend is doing. Readiness, liveness and the metrics read it;
 * the source decides it (see each source for what "connected" can mean for its backend).
 */
export interface RunEventSourceHealth {
  /** True while the source is connected to its backend and receiving. */
  readonly connected: boolean;
  /** Why the source is not connected (the last error), while it is not. */
  readonly reason?: string;
  /** Set once the source gave up reconnecting: nothing more arrives until the process restarts. */
  readonly failure?: string;
  /** How many times the source reconnected after losing its connection. */
  readonly reconnects: number;
}

/** Where run events come from: a Pub/Sub subscription, a workflow watch, an in-memory queue. */
export interface RunEventSource {
  /** Connects and verifies the source; rejects with a message naming what is missing. */
  start(): Promise<void>;
  /**
   * The messages as they arrive. The pipeline pulls the next one only when it has capacity, so
   * a source that buffers must bound its buffer (flow control) rather than read ahead freely.
   * The iteration ends once `stop` was called.
   */
  messages(): AsyncIterable<RunEventMessage>;
  /** Stops receiving. Messages already handed out can still be acked or released. */
  stop(): Promise<void>;
  /** The connection's health; a source without it (an in-process queue) counts as always connected. */
  health?(): RunEventSourceHealth;
}

/** Injection token of {@link RunEventSource}. */
export const RunEventSource = Symbol.for('kfp-provider-service.RunEventSource');
