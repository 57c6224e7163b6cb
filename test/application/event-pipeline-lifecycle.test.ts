import { expect } from 'chai';
import { EventPipeline } from '../../src/application/event-pipeline.js';
import type { EventPipelineMetrics } from '../../src/ports/event-pipeline-metrics.js';
import type { RunEventMessage, RunEventSource } from '../../src/ports/run-event-source.js';
import { InMemoryRunEventSource } from '../../src/adapters/memory/in-memory-run-event-source.js';
import { RunCompletionEventMother } from '../support/definition-mother.js';
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

/**
 * A source whose stop waits until every handed-out message is settled, as Pub/Sub's WAIT close
 * does, so a pipeline that stopped its source before draining would wait on itself.
 */
class WaitingSource implements RunEventSource {
  readonly inner = new InMemoryRunEventSource();

  async start(): Promise<void> {
    await this.inner.start();
  }

  messages(): AsyncIterable<RunEventMessage> {
    return this.inner.messages();
  }

  async stop(): Promise<void> {
    await this.inner.stop();
    await eventually('handed-out messages settled', () => this.inner.idsIn('in-flight').length === 0, 10_000);
  }
}

describe('event pipeline shutdown with a source that waits for its messages', () => {
  it('stops within the budget, handing back what the hanging webhook still holds', async () => {
    const source = new WaitingSource();
    const pipeline = new EventPipeline(
      {
        source,
        normaliser: {
          normalise: async (payload) => ({ kind: 'completed', event: payload as ReturnType<typeof RunCompletionEventMother.valid> }),
        },
        sink: { deliver: () => new Promise(() => undefined) },
        metrics: noMetrics,
        logger: new RecordingLogger(),
        clock: { now: () => new Date() },
      },
      { concurrency: 2, maxAgeMs: 60_000, retryInitialMs: 1, retryMaxMs: 2 },
    );
    await pipeline.start();
    const id = source.inner.publish(RunCompletionEventMother.valid());
    await eventually('the message is in flight', () => source.inner.idsIn('in-flight').length === 1, 2000);
    const started = Date.now();
    await pipeline.stop(200);
    expect(Date.now() - started).to.be.below(1000);
    expect(source.inner.states().get(id)).to.equal('released');
  });
});

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

describe('event pipeline with collaborators that throw', () => {
  it('retries a delivery whose sink throws instead of answering, and loses nothing', async () => {
    const source = new InMemoryRunEventSource();
    let calls = 0;
    const pipeline = new EventPipeline(
      {
        source,
        normaliser: {
          normalise: async (payload) => ({ kind: 'completed', event: payload as ReturnType<typeof RunCompletionEventMother.valid> }),
        },
        sink: {
          deliver: async () => {
            calls += 1;
            if (calls === 1) throw new Error('socket exploded');
            return { kind: 'delivered' };
          },
        },
        metrics: noMetrics,
        logger: new RecordingLogger(),
        clock: { now: () => new Date() },
      },
      { concurrency: 1, maxAgeMs: 60_000, retryInitialMs: 1, retryMaxMs: 2 },
    );
    await pipeline.start();
    const id = source.publish(RunCompletionEventMother.valid());
    await eventually('the message is acked', () => source.states().get(id) === 'acked', 2000);
    expect(calls).to.equal(2);
    await pipeline.stop(100);
  });

  it('hands a message back when acknowledging it at the source fails', async () => {
    const inner = new InMemoryRunEventSource({ redeliverReleased: false });
    const released: string[] = [];
    const source: RunEventSource = {
      start: () => inner.start(),
      stop: () => inner.stop(),
      async *messages() {
        for await (const message of inner.messages()) {
          yield {
            ...message,
            ack: async () => {
              throw new Error('ack refused');
            },
            release: async () => {
              released.push(message.id);
              await message.release();
            },
          };
        }
      },
    };
    const logger = new RecordingLogger();
    const pipeline = new EventPipeline(
      {
        source,
        normaliser: { normalise: async () => ({ kind: 'ignore', reason: 'not ours' }) },
        sink: { deliver: async () => ({ kind: 'delivered' }) },
        metrics: noMetrics,
        logger,
        clock: { now: () => new Date() },
      },
      { concurrency: 1, maxAgeMs: 60_000, retryInitialMs: 1, retryMaxMs: 2 },
    );
    await pipeline.start();
    const id = inner.publish({ any: 'payload' });
    await eventually('the message is handed back', () => released.includes(id), 2000);
    expect(inner.states().get(id)).to.equal('released');
    expect(logger.at('error').some((line) => line.message.includes('handing it back'))).to.equal(true);
    await pipeline.stop(100);
  });
});
