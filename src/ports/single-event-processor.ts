/**
 * How one pass of an event through normalisation and delivery ended. `delivered`, `ignored`,
 * `rejected` and `invalid` are final; `retry` (something failed on the way) and `pending` (the
 * backend has not finished the run, or not recorded all of it) mean it may succeed later.
 */
export const eventProcessingOutcomes = ['delivered', 'ignored', 'rejected', 'invalid', 'retry', 'pending'] as const;

/** One of {@link eventProcessingOutcomes}. */
export type EventProcessingOutcome = (typeof eventProcessingOutcomes)[number];

/** True for the outcomes after which the same payload is to be tried again later. */
export function isRetryableOutcome(outcome: EventProcessingOutcome): boolean {
  return outcome === 'retry' || outcome === 'pending';
}

/**
 * Processes one payload once: the event pipeline calls it for every attempt at a message, and
 * relays that answer their sender synchronously call it for each request.
 */
export interface SingleEventProcessor {
  /** Normalises and delivers `payload` once, without retrying; `id` names it in logs. */
  processOnce(payload: unknown, id: string): Promise<EventProcessingOutcome>;
}

/** Injection token of {@link SingleEventProcessor}. */
export const SingleEventProcessor = Symbol.for('kfp-provider-service.SingleEventProcessor');
