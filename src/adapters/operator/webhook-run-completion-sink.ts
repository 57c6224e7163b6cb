import { type RunCompletionEvent, toRunCompletionEventData } from '../../domain/run-completion-event.js';
import type { DeliveryOutcome, RunCompletionSink } from '../../ports/run-completion-sink.js';

/** Options of {@link WebhookRunCompletionSink}. */
export interface WebhookRunCompletionSinkOptions {
  /** The operator's run completion webhook (`OPERATORWEBHOOK`). */
  readonly url: URL | string;
  /** Timeout of one request; a request that takes longer is retried later. */
  readonly timeoutMs: number;
}

// The operator's answers that mean "never send this again": 410 the run or run configuration is
// gone; 400 and 415 the event itself is unacceptable.
const permanentRejections = new Set([400, 410, 415]);

/**
 * Delivers run completions to the KFP Operator's webhook. The operator string-compares the
 * content type with `application/json`, so no charset parameter is sent; connections are kept
 * alive by the platform's fetch between deliveries.
 */
export class WebhookRunCompletionSink implements RunCompletionSink {
  readonly #url: string;
  readonly #timeoutMs: number;

  constructor(options: WebhookRunCompletionSinkOptions) {
    if (!(options.timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
    this.#url = String(options.url);
    this.#timeoutMs = options.timeoutMs;
  }

  async deliver(event: RunCompletionEvent): Promise<DeliveryOutcome> {
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(toRunCompletionEventData(event)),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${this.#timeoutMs} ms` : describe(error);
      return { kind: 'retry', reason: `webhook unreachable: ${reason}` };
    }
    const body = await response.text().catch(() => '');
    if (response.status === 200) return { kind: 'delivered' };
    const reason = `webhook answered ${response.status}${body ? `: ${body.slice(0, 500)}` : ''}`;
    return permanentRejections.has(response.status) ? { kind: 'rejected', reason } : { kind: 'retry', reason };
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
