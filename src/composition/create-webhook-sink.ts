import { WebhookRunCompletionSink } from '../adapters/operator/webhook-run-completion-sink.js';
import { configDefaults } from '../config/service-config.js';
import type { RunCompletionSink } from '../ports/run-completion-sink.js';

/** Options of {@link createWebhookSink}. */
export interface CreateWebhookSinkOptions {
  /** The operator's run completion webhook. */
  readonly url: URL | string;
  /** Timeout of one request (default 10 000 ms, the service's `WEBHOOK_TIMEOUT_MS` default). */
  readonly timeoutMs?: number;
}

/**
 * A sink that POSTs each run completion to the operator's webhook exactly as the deployed
 * service does (`application/json` without charset; 200 delivered; 400, 410, 415 rejected;
 * anything else retried), for a service whose configuration has no `OPERATORWEBHOOK`.
 */
export function createWebhookSink(options: CreateWebhookSinkOptions): RunCompletionSink {
  return new WebhookRunCompletionSink({ url: options.url, timeoutMs: options.timeoutMs ?? configDefaults.webhookTimeoutMs });
}
