/**
 * How one pass of an event through normalisation and delivery ended. `delivered`, `ignored`,
 * `rejected` and `invalid` are final; `retry` means it may succeed later.
 */
export const eventProcessingOutcomes = ['delivered', 'ignored', 'rejected', 'invalid', 'retry'] as const;

/** One of {@link eventProcessingOutcomes}. */
export type EventProcessingOutcome = (typeof eventProcessingOutcomes)[number];

/** Processes one payload once, for sources that answer their sender synchronously (relays). */
export interface SingleEventProcessor {
  /** Normalises and delivers `payload` once, without retrying. */
  processOnce(payload: unknown, id: string): Promise<EventProcessingOutcome>;
}

/** Injection token of {@link SingleEventProcessor}: the running event pipeline. */
export const SingleEventProcessor = Symbol.for('kfp-provider-service.SingleEventProcessor');
