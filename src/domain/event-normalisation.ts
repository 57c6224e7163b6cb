import { type RunCompletionEvent, unacceptableEventReason } from './run-completion-event.js';

/** What a raw backend event turns out to be once normalised. */
export type EventNormalisation =
  /**
   * Not a run completion, and this payload never becomes one (not ours, a deletion, a workflow
   * still running whose completion arrives as an event of its own): acknowledge and forget.
   */
  | { readonly kind: 'ignore'; readonly reason: string }
  /**
   * About a run completion the backend cannot report in full yet (the job has not finished, its
   * metadata is not written yet): keep the payload and ask again later, within the maximum age.
   */
  | { readonly kind: 'pending'; readonly reason: string }
  /** A finished run, ready for the operator. */
  | { readonly kind: 'completed'; readonly event: RunCompletionEvent }
  /** Malformed or unacceptable input: acknowledge, log the reason, never retry. */
  | { readonly kind: 'invalid'; readonly reason: string };

/** Wraps an event as `completed`, or as `invalid` when the operator could never accept it. */
export function completedOrInvalid(event: RunCompletionEvent): EventNormalisation {
  const reason = unacceptableEventReason(event);
  return reason === undefined ? { kind: 'completed', event } : { kind: 'invalid', reason };
}

/** Shorthand for an `ignore` result. */
export function ignoreEvent(reason: string): EventNormalisation {
  return { kind: 'ignore', reason };
}

/** Shorthand for a `pending` result. */
export function pendingEvent(reason: string): EventNormalisation {
  return { kind: 'pending', reason };
}

/** Shorthand for an `invalid` result. */
export function invalidEvent(reason: string): EventNormalisation {
  return { kind: 'invalid', reason };
}
