import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { type EventPipelineMetrics, type WebhookSendResult, webhookSendResults } from '../../ports/event-pipeline-metrics.js';
import type { HttpMetrics } from '../../ports/http-metrics.js';
import type { LeadershipMetrics } from '../../ports/leadership-metrics.js';
import type { RunEventSourceHealth } from '../../ports/run-event-source.js';

/**
 * One Prometheus registry per service instance (not prom-client's global one), so that two
 * services embedded in one process do not collide, with every metric the service exports.
 */
export class PrometheusMetrics implements EventPipelineMetrics, HttpMetrics, LeadershipMetrics {
  /** The registry `/metrics` serves. */
  readonly registry = new Registry();
  readonly #requestDuration: Histogram<'http_request_method' | 'http_response_status_code' | 'http_route'>;
  readonly #sendResults: Counter<'result'>;
  readonly #inFlight: Gauge;
  readonly #awaitingRetry: Gauge;
  readonly #settleLatency: Histogram;
  readonly #leader: Gauge;
  readonly #leaderTransitions: Counter;
  #sourceHealth: (() => RunEventSourceHealth) | undefined;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    // The Go service's names (OpenTelemetry's HTTP server metric through the Prometheus
    // exporter), label names and default buckets, so that its dashboards keep working.
    this.#requestDuration = new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of HTTP server requests, by method, status code and route pattern',
      labelNames: ['http_request_method', 'http_response_status_code', 'http_route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
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
    // Both read the source when scraped: its health is a state it keeps, not a stream of events.
    const sourceHealth = (): RunEventSourceHealth | undefined => this.#sourceHealth?.();
    new Gauge({
      name: 'provider_event_source_connected',
      help: 'Whether the run event source is connected to its backend (1) or reconnecting (0)',
      registers,
      collect(this: Gauge) {
        const health = sourceHealth();
        if (health) this.set(health.connected ? 1 : 0);
      },
    });
    let countedReconnects = 0;
    new Counter({
      name: 'provider_event_source_reconnects_total',
      help: 'Times the run event source reconnected after losing its backend',
      registers,
      collect(this: Counter) {
        const reconnects = sourceHealth()?.reconnects ?? countedReconnects;
        if (reconnects > countedReconnects) this.inc(reconnects - countedReconnects);
        countedReconnects = Math.max(countedReconnects, reconnects);
      },
    });
    this.#settleLatency = new Histogram({
      name: 'provider_event_settle_duration_seconds',
      help: 'Seconds from receiving a run event to settling it at its source',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 300, 3600],
      registers,
    });
    // Leader election of the Argo Workflow watch (kfp in watch mode); 0 on every other replica and provider.
    this.#leader = new Gauge({
      name: 'provider_leader',
      help: 'Whether this replica holds the lease of the Argo Workflow watch (1) or not (0)',
      registers,
    });
    this.#leaderTransitions = new Counter({
      name: 'provider_leader_transitions_total',
      help: 'Times this replica became the leader; summed over the replicas, how often the lease changed hands',
      registers,
    });
    // Every result is exported from the start, so rate() over a result that has not happened yet works.
    for (const result of webhookSendResults) {
      this.#sendResults.inc({ result }, 0);
    }
  }

  observeRequest(labels: { method: string; route: string; status: number }, seconds: number): void {
    this.#requestDuration.observe(
      { http_request_method: labels.method, http_response_status_code: String(labels.status), http_route: labels.route },
      seconds,
    );
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

  setLeader(leading: boolean): void {
    this.#leader.set(leading ? 1 : 0);
  }

  countLeadershipAcquired(): void {
    this.#leaderTransitions.inc();
  }

  /** Reports the health of this service's run event source in the source gauges from now on. */
  trackEventSource(health: () => RunEventSourceHealth): void {
    this.#sourceHealth = health;
  }
}
