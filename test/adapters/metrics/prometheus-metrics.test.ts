import { expect } from 'chai';
import { PrometheusMetrics } from '../../../src/adapters/metrics/prometheus-metrics.js';
import type { RunEventSourceHealth } from '../../../src/ports/run-event-source.js';

async function value(metrics: PrometheusMetrics, name: string): Promise<number | undefined> {
  const line = (await metrics.registry.metrics()).split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

describe('PrometheusMetrics event source gauges', () => {
  it('reads the tracked source when scraped: connected as 1 or 0, reconnections as a counter', async () => {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    let health: RunEventSourceHealth = { connected: true, reconnects: 0 };
    metrics.trackEventSource(() => health);
    expect(await value(metrics, 'provider_event_source_connected')).to.equal(1);
    expect(await value(metrics, 'provider_event_source_reconnects_total')).to.equal(0);
    health = { connected: false, reason: '14 UNAVAILABLE', reconnects: 0 };
    expect(await value(metrics, 'provider_event_source_connected')).to.equal(0);
    health = { connected: true, reconnects: 2 };
    expect(await value(metrics, 'provider_event_source_connected')).to.equal(1);
    expect(await value(metrics, 'provider_event_source_reconnects_total')).to.equal(2);
    expect(await value(metrics, 'provider_event_source_reconnects_total'), 'counted once').to.equal(2);
  });
});
