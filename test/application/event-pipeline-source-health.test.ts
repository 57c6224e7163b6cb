import { expect } from 'chai';
import { EventPipeline } from '../../src/application/event-pipeline.js';
import { InMemoryRunEventSource } from '../../src/adapters/memory/in-memory-run-event-source.js';
import type { EventPipelineMetrics } from '../../src/ports/event-pipeline-metrics.js';
import type { RunEventSource } from '../../src/ports/run-event-source.js';
import { HealthReportingSource } from '../support/health-reporting-source.js';
import { RecordingLogger } from '../support/recording-logger.js';

const noMetrics: EventPipelineMetrics = {
  countSendResult: () => undefined,
  setInFlight: () => undefined,
  setAwaitingRetry: () => undefined,
  observeSettleLatency: () => undefined,
};

function pipelineOver(source: RunEventSource): EventPipeline {
  return new EventPipeline(
    {
      source,
      processor: { processOnce: async () => 'delivered' },
      metrics: noMetrics,
      logger: new RecordingLogger(),
      clock: { now: () => new Date() },
    },
    { concurrency: 1, maxAgeMs: 60_000, retryInitialMs: 10, retryMaxMs: 10 },
  );
}

describe('EventPipeline and its source health', () => {
  it('is ready only while the source reports itself connected', async () => {
    const source = new HealthReportingSource();
    const pipeline = pipelineOver(source);
    await pipeline.start();
    try {
      expect(pipeline.isReady()).to.equal(true);
      source.current = { connected: false, reason: '14 UNAVAILABLE', reconnects: 0 };
      expect(pipeline.isReady()).to.equal(false);
      expect(pipeline.failure(), 'reconnecting is no failure').to.equal(undefined);
      source.current = { connected: true, reconnects: 1 };
      expect(pipeline.isReady()).to.equal(true);
    } finally {
      await pipeline.stop(100);
    }
  });

  it('reports the failure of a source that gave up reconnecting', async () => {
    const source = new HealthReportingSource();
    const pipeline = pipelineOver(source);
    await pipeline.start();
    try {
      source.current = { connected: false, reason: 'x', failure: 'Pub/Sub subscription s unreachable for 300 s', reconnects: 0 };
      expect(pipeline.failure()).to.equal('Pub/Sub subscription s unreachable for 300 s');
      expect(pipeline.isReady()).to.equal(false);
    } finally {
      await pipeline.stop(100);
    }
  });

  it('counts a source without health as connected once started', async () => {
    const pipeline = pipelineOver(new InMemoryRunEventSource());
    expect(pipeline.isReady()).to.equal(false);
    await pipeline.start();
    expect(pipeline.isReady()).to.equal(true);
    expect(pipeline.failure()).to.equal(undefined);
    await pipeline.stop(100);
  });
});
