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

  // One plain timer per request rather than an AbortSignal: `AbortSignal.timeout` costs a fifth
  // of the whole delivery, and Node keeps the timers of one duration in one list. The timer is a
  // deadline for the whole exchange (answer body included), as the signal was; a socket idle
  // timeout would let an answer that trickles in hold the event for ever.
  deliver(event: RunCompletionEvent): Promise<DeliveryOutcome> {
    const body = Buffer.from(JSON.stringify(toRunCompletionEventData(event)));
    return new Promise((resolve) => {
      let request: ClientRequest;
      try {
        request = this.#request(this.#url, {
          method: 'POST',
          agent: this.#agent,
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        });
      } catch (error) {
        resolve({ kind: 'retry', reason: `webhook unreachable: ${describe(error)}` });
        return;
      }
      const timer = setTimeout(() => {
        resolve({ kind: 'retry', reason: `webhook unreachable: no answer within ${this.#timeoutMs} ms` });
        request.destroy();
      }, this.#timeoutMs);
      const settle = (outcome: DeliveryOutcome): void => {
        clearTimeout(timer);
        resolve(outcome);
      };
      request.once('response', (response) => readAnswer(response, settle));
      request.once('error', (error) => settle({ kind: 'retry', reason: `webhook unreachable: ${describe(error)}` }));
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

// Listeners rather than `for await`: the async iterator costs promises per answer, and most
// answers are an empty 200.
function readAnswer(response: IncomingMessage, settle: (outcome: DeliveryOutcome) => void): void {
  let text = '';
  response.on('data', (chunk: Buffer) => {
    if (text.length < reasonBodyLimit) text += chunk.toString('utf8');
  });
  response.once('end', () => settle(outcomeOf(response.statusCode ?? 0, text.slice(0, reasonBodyLimit))));
  response.once('error', (error) => settle({ kind: 'retry', reason: `webhook answer broken off: ${describe(error)}` }));
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}
