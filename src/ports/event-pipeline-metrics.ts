/**
 * The webhook send results, named as the existing Go service exports them in
 * `provider_webhook_send_events_count_total{result}`.
 */
export const webhookSendResults = ['Success', 'RecoverableFailure', 'UnrecoverableFailure', 'Discarded'] as const;

/** One of {@link webhookSendResults}. */
export type WebhookSendResult = (typeof webhookSendResults)[number];

/** What the event pipeline reports about itself. */
export interface EventPipelineMetrics {
  /** Counts one delivery attempt's result, or one event discarded before sending. */
  countSendResult(result: WebhookSendResult): void;
  /** The number of messages being processed now. */
  setInFlight(count: number): void;
  /** The number of messages waiting for a retry. */
  setAwaitingRetry(count: number): void;
  /** Seconds from receiving a message to settling it. */
  observeSettleLatency(seconds: number): void;
}
