import { expect } from 'chai';
import type { PrometheusMetrics } from '../../src/adapters/metrics/prometheus-metrics.js';
import type { ReceivedRequest } from '../../src/testing/recording-webhook-receiver.js';
import { RunCompletionEventMother } from '../support/definition-mother.js';
import { type PipelineHarness, type PipelineHarnessOptions, sendResults, startPipelineHarness } from '../support/event-pipeline-harness.js';
import { eventually } from '../support/eventually.js';

// Poison events are answered 500 for ever; every other event is answered 200.
const isPoison = (request: ReceivedRequest): boolean => String((request.json as { runId?: unknown }).runId).startsWith('poison');

async function gauge(metrics: PrometheusMetrics, name: string): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  return (await metric.get()).values[0]?.value ?? 0;
}

const awaitingRetry = (metrics: PrometheusMetrics): Promise<number> => gauge(metrics, 'provider_event_pipeline_awaiting_retry');
const inFlight = (metrics: PrometheusMetrics): Promise<number> => gauge(metrics, 'provider_event_pipeline_in_flight');

/** Run ids of the events the webhook accepted, in arrival order. */
function delivered(h: PipelineHarness): string[] {
  return h.receiver.requests.filter((request) => !isPoison(request)).map((request) => String((request.json as { runId: string }).runId));
}

describe('event pipeline with events that fail for ever (head-of-line blocking)', function () {
  this.timeout(20_000);
  let harness: PipelineHarness | undefined;

  async function start(options: PipelineHarnessOptions): Promise<PipelineHarness> {
    harness = await startPipelineHarness(options);
    harness.receiver.answerWith((request) => (isPoison(request) ? 500 : 200));
    await harness.pipeline.start();
    return harness;
  }

  function publish(h: PipelineHarness, prefix: string, count: number): string[] {
    return Array.from({ length: count }, (_, n) => h.source.publish(RunCompletionEventMother.valid({ runId: `${prefix}-${n}` })));
  }

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('delivers healthy events within a fraction of one retry interval while as many poison events as slots back off', async () => {
    // The first retry waits 2.25 s (jitter pinned to the middle): a healthy event queued behind a
    // poison one that holds a slot through its backoff would be delivered no sooner than that.
    const h = await start({ concurrency: 8, retryInitialMs: 3000, retryMaxMs: 6000 });
    const poison = publish(h, 'poison', 8);
    await h.receiver.waitForRequests(8, 2000);
    const started = Date.now();
    const healthy = publish(h, 'healthy', 20);
    await eventually('every healthy event acked', () => healthy.every((id) => h.source.states().get(id) === 'acked'), 2000);
    expect(Date.now() - started).to.be.below(1000);
    expect(delivered(h)).to.have.members(Array.from({ length: 20 }, (_, n) => `healthy-${n}`));
    expect(await awaitingRetry(h.metrics)).to.equal(8);
    expect(await inFlight(h.metrics)).to.equal(0);
    // Waiting keeps each poison event's lease: unsettled at its source, neither acked nor released.
    expect(poison.map((id) => h.source.states().get(id))).to.deep.equal(Array(8).fill('in-flight'));
    expect(h.receiver.requests.filter(isPoison)).to.have.length(8);
  });

  it('keeps pulling and retrying with a single slot on a quiet source', async () => {
    const h = await start({ concurrency: 1, retryInitialMs: 20, retryMaxMs: 40 });
    publish(h, 'poison', 1);
    await eventually('the poison event retried', () => h.receiver.requests.filter(isPoison).length >= 3, 3000);
    const healthy = publish(h, 'healthy', 3);
    await eventually('the healthy events acked', () => healthy.every((id) => h.source.states().get(id) === 'acked'), 3000);
    const before = h.receiver.requests.filter(isPoison).length;
    await eventually('the poison event retried again', () => h.receiver.requests.filter(isPoison).length > before, 3000);
  });

  it('counts as in flight only attempts that run, and as awaiting retry only events between attempts', async () => {
    const h = await start({ concurrency: 4, retryInitialMs: 10_000, retryMaxMs: 10_000, webhookTimeoutMs: 10_000 });
    h.receiver.answerWith((request) => (isPoison(request) ? 500 : 'hang'));
    publish(h, 'poison', 3);
    publish(h, 'slow', 2);
    await h.receiver.waitForRequests(5, 2000);
    await eventually('three waiting, two running', async () => (await awaitingRetry(h.metrics)) === 3 && (await inFlight(h.metrics)) === 2);
  });

  it('holds no more messages than the bound and pushes back on the source until one settles', async () => {
    const h = await start({ concurrency: 2, maxAwaitingRetry: 5, retryInitialMs: 300, retryMaxMs: 300 });
    const poison = publish(h, 'poison', 10);
    let mostHeld = 0;
    const sample = setInterval(() => (mostHeld = Math.max(mostHeld, h.source.idsIn('in-flight').length)), 2);
    try {
      await eventually('five waiting for a retry', async () => (await awaitingRetry(h.metrics)) === 5, 3000);
      // Long enough for two retries of each held event: the bound holds while they fail again.
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(h.source.idsIn('in-flight')).to.have.length(5);
      expect(h.source.idsIn('queued')).to.have.length(5);
      const distinct = new Set(h.receiver.requests.map((request) => String((request.json as { runId: string }).runId)));
      expect(distinct.size).to.equal(5);
      // Once the held events are delivered, the ones left at the source come through too.
      h.receiver.answerWith(200);
      await eventually('every event acked', () => poison.every((id) => h.source.states().get(id) === 'acked'), 5000);
    } finally {
      clearInterval(sample);
    }
    expect(mostHeld).to.be.at.most(5);
    expect((await sendResults(h.metrics)).Success).to.equal(10);
  });

  it('hands every waiting event back at once on stop, losing nothing and delivering nothing twice', async () => {
    const h = await start({ concurrency: 8, retryInitialMs: 30_000, retryMaxMs: 30_000 });
    const poison = publish(h, 'poison', 8);
    const healthy = publish(h, 'healthy', 30);
    await eventually('the healthy events acked', () => healthy.every((id) => h.source.states().get(id) === 'acked'), 5000);
    await eventually('eight waiting for a retry', async () => (await awaitingRetry(h.metrics)) === 8, 2000);
    const started = Date.now();
    await h.pipeline.stop(5000);
    expect(Date.now() - started).to.be.below(500);
    expect(poison.map((id) => h.source.states().get(id))).to.deep.equal(Array(8).fill('released'));
    expect(await awaitingRetry(h.metrics)).to.equal(0);
    const runIds = delivered(h);
    expect(runIds).to.have.length(30);
    expect(new Set(runIds).size).to.equal(30);
    expect(h.logger.at('warn').some((line) => line.message.includes('handing unsettled'))).to.equal(false);
  });
});
