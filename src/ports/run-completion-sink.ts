import type { RunCompletionEvent } from '../domain/run-completion-event.js';

/** What became of one delivery attempt. */
export type DeliveryOutcome =
  /** The operator took the event (HTTP 200). */
  | { readonly kind: 'delivered' }
  /** Nothing was sent: no webhook is configured and the event was only written to the log. */
  | { readonly kind: 'logged' }
  /** The operator will never take it (410 gone, 400/415 unacceptable): do not retry. */
  | { readonly kind: 'rejected'; readonly reason: string }
  /** It may work later (5xx, other statuses, timeouts, no connection). */
  | { readonly kind: 'retry'; readonly reason: string };

/** Where normalised run completions go: the operator's webhook in production. */
export interface RunCompletionSink {
  /** Attempts one delivery; never throws for a failed attempt, it answers `retry`. */
  deliver(event: RunCompletionEvent): Promise<DeliveryOutcome>;
}

/** Injection token of {@link RunCompletionSink}. */
export const RunCompletionSink = Symbol.for('kfp-provider-service.RunCompletionSink');
