import { Agent as HttpAgent, type ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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

// Enough of an error answer to say what went wrong in a log line.
const reasonBodyLimit = 500;

/**
 * Delivers run completions to the KFP Operator's webhook. The operator string-compares the
 * content type with `application/json`, so no charset parameter is sent. Requests go through
 * `node:http` with a keep-alive agent rather than `fetch`: per event it costs about a third of
 * the CPU, which is what bounds event throughput on a small pod.
 */
export class WebhookRunCompletionSink implements RunCompletionSink {
  readonly #url: URL;
  readonly #timeoutMs: number;
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;

  constructor(options: WebhookRunCompletionSinkOptions) {
    if (!(options.timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
    this.#url = new URL(String(options.url));
    if (this.#url.protocol !== 'http:' && this.#url.protocol !== 'https:') {
      throw new RangeError(`webhook URL ${this.#url.href} must be http:// or https://`);
    }
    this.#timeoutMs = options.timeoutMs;
    const https = this.#url.protocol === 'https:';
    this.#agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.#request = https ? httpsRequest : httpRequest;
  }

  deliver(event: RunCompletionEvent): Promise<DeliveryOutcome> {
    const body = Buffer.from(JSON.stringify(toRunCompletionEventData(event)));
    return new Promise((resolve) => {
      const timeout = AbortSignal.timeout(this.#timeoutMs);
      let request: ClientRequest;
      try {
        request = this.#request(this.#url, {
          method: 'POST',
          agent: this.#agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
          signal: timeout,
        });
      } catch (error) {
        resolve({ kind: 'retry', reason: `webhook unreachable: ${describe(error)}` });
        return;
      }
      request.once('response', (response) => {
        readReason(response).then(
          (text) => resolve(outcomeOf(response.statusCode ?? 0, text)),
          (error: unknown) => resolve({ kind: 'retry', reason: `webhook answer broken off: ${describe(error)}` }),
        );
      });
      request.once('error', (error) => {
        const reason = timeout.aborted ? `no answer within ${this.#timeoutMs} ms` : describe(error);
        resolve({ kind: 'retry', reason: `webhook unreachable: ${reason}` });
      });
      request.end(body);
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.#agent.destroy();
  }
}

function outcomeOf(status: number, text: string): DeliveryOutcome {
  if (status === 200) return { kind: 'delivered' };
  const reason = `webhook answered ${status}${text ? `: ${text}` : ''}`;
  return permanentRejections.has(status) ? { kind: 'rejected', reason } : { kind: 'retry', reason };
}

async function readReason(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) {
    if (text.length < reasonBodyLimit) text += (chunk as Buffer).toString('utf8');
  }
  return text.slice(0, reasonBodyLimit);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}
