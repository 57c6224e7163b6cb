import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type EventPipelineMetrics, type WebhookSendResult, webhookSendResults } from '../../ports/event-pipeline-metrics.js';
import type { HttpMetrics } from '../../ports/http-metrics.js';

/**
 * One Prometheus registry per service instance (not prom-client's global one), so that two
 * services embedded in one process do not collide, with every metric the service exports.
 */
export class PrometheusMetrics implements EventPipelineMetrics, HttpMetrics {
  /** The registry `/metrics` serves. */
  readonly registry = new Registry();
  readonly #requests: Counter<'method' | 'route' | 'status'>;
  readonly #requestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly #sendResults: Counter<'result'>;
  readonly #inFlight: Gauge;
  readonly #awaitingRetry: Gauge;
  readonly #settleLatency: Histogram;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.#requestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.#sendResults = new Counter({
      name: 'provider_webhook_send_events_count_total',
      help: 'Run completion events sent to the operator webhook, by result',
      labelNames: ['result'],
      registers,
    });
    this.#inFlight = new Gauge({
      name: 'provider_event_pipeline_in_flight',
      help: 'Run events being processed now',
      registers,
    });
    this.#awaitingRetry = new Gauge({
      name: 'provider_event_pipeline_awaiting_retry',
      help: 'Run events waiting for their next delivery attempt',
      registers,
    });
    this.#settleLatency = new Histogram({
      name: 'provider_event_settle_duration_seconds',
      help: 'Seconds from receiving a run event to settling it at its source',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 3600],
      registers,
    });
    // Every result is exported from the start, so rate() over a result that has not happened yet works.
    for (const result of webhookSendResults) {
      this.#sendResults.inc({ result }, 0);
    }
  }

  observeRequest(labels: { method: string; route: string; status: number }, seconds: number): void {
    const values = { method: labels.method, route: labels.route, status: String(labels.status) };
    this.#requests.inc(values);
    this.#requestDuration.observe(values, seconds);
  }

  countSendResult(result: WebhookSendResult): void {
    this.#sendResults.inc({ result });
  }

  setInFlight(count: number): void {
    this.#inFlight.set(count);
  }

  setAwaitingRetry(count: number): void {
    this.#awaitingRetry.set(count);
  }

  observeSettleLatency(seconds: number): void {
    this.#settleLatency.observe(seconds);
  }
}
