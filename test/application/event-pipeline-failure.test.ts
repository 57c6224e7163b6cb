import { expect } from 'chai';
import { EventPipeline } from '../../src/application/event-pipeline.js';
import type { EventPipelineMetrics } from '../../src/ports/event-pipeline-metrics.js';
import type { RunEventMessage, RunEventSource } from '../../src/ports/run-event-source.js';
import { eventually } from '../support/eventually.js';
import { RecordingLogger } from '../support/recording-logger.js';

const noMetrics: EventPipelineMetrics = {
  countSendResult: () => undefined,
  setInFlight: () => undefined,
  setAwaitingRetry: () => undefined,
  observeSettleLatency: () => undefined,
};

/** A source that connects, then fails for good, as a Pub/Sub stream does when its subscription is deleted. */
class FailingSource implements RunEventSource {
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async *messages(): AsyncIterable<RunEventMessage> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    throw new Error('subscription deleted');
  }
}

describe('event pipeline whose source fails', () => {
  it('stops being ready and reports the failure, so liveness can restart the process', async () => {
    const logger = new RecordingLogger();
    const pipeline = new EventPipeline(
      {
        source: new FailingSource(),
        normaliser: { normalise: async () => ({ kind: 'ignore', reason: 'unused' }) },
        sink: { deliver: async () => ({ kind: 'delivered' }) },
        metrics: noMetrics,
        logger,
        clock: { now: () => new Date() },
      },
      { concurrency: 2, maxAgeMs: 1000, retryInitialMs: 1, retryMaxMs: 2 },
    );
    await pipeline.start();
    expect(pipeline.isReady()).to.equal(true);
    expect(pipeline.failure()).to.equal(undefined);
    await eventually('the failure is reported', () => pipeline.failure() !== undefined, 2000);
    expect(pipeline.failure()).to.include('subscription deleted');
    expect(pipeline.isReady()).to.equal(false);
    expect(logger.at('error')).to.have.length(1);
    await pipeline.stop(100);
  });
});
