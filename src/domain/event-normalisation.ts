import { type RunCompletionEvent, unacceptableEventReason } from './run-completion-event.js';

/** What a raw backend event turns out to be once normalised. */
export type EventNormalisation =
  /** Not a run completion (the run is still going, or it is not ours): acknowledge and forget. */
  | { readonly kind: 'ignore'; readonly reason: string }
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

/** Shorthand for an `invalid` result. */
export function invalidEvent(reason: string): EventNormalisation {
  return { kind: 'invalid', reason };
}
