import { expect } from 'chai';
import { EventPipeline, type EventPipelineOptions } from '../../src/application/event-pipeline.js';
import { RunEventAttempt, type RunEventAttemptDependencies } from '../../src/application/run-event-attempt.js';
import type { EventPipelineMetrics } from '../../src/ports/event-pipeline-metrics.js';
import type { RunEventMessage, RunEventSource } from '../../src/ports/run-event-source.js';
import type { SingleEventProcessor } from '../../src/ports/single-event-processor.js';
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

type Event = ReturnType<typeof RunCompletionEventMother.valid>;

/** A pipeline over `source` whose attempts use `parts`, with no metrics and the system clock. */
function pipelineOver(
  source: RunEventSource,
  parts: Pick<RunEventAttemptDependencies, 'normaliser' | 'sink'> & { logger?: RecordingLogger },
  options: EventPipelineOptions,
): EventPipeline {
  const logger = parts.logger ?? new RecordingLogger();
  const processor = new RunEventAttempt({ normaliser: parts.normaliser, sink: parts.sink, metrics: noMetrics, logger });
  return new EventPipeline({ source, processor, metrics: noMetrics, logger, clock: { now: () => new Date() } }, options);
}

/** A source that connects, then fails for good, as a Pub/Sub stream does when its subscription is deleted. */
class FailingSource implements RunEventSource {
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  // It fails before its first message, so it never yields; a generator is still the shortest async iterable.
  // eslint-disable-next-line require-yield
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
    const pipeline = pipelineOver(
      source,
      {
        normaliser: {
          normalise: async (payload) => ({ kind: 'completed', event: payload as Event }),
        },
        sink: { deliver: () => new Promise(() => undefined) },
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
    const pipeline = pipelineOver(
      new FailingSource(),
      {
        normaliser: { normalise: async () => ({ kind: 'ignore', reason: 'unused' }) },
        sink: { deliver: async () => ({ kind: 'delivered' }) },
        logger,
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
    const pipeline = pipelineOver(
      source,
      {
        normaliser: {
          normalise: async (payload) => ({ kind: 'completed', event: payload as Event }),
        },
        sink: {
          deliver: async () => {
            calls += 1;
            if (calls === 1) throw new Error('socket exploded');
            return { kind: 'delivered' };
          },
        },
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
    const pipeline = pipelineOver(
      source,
      {
        normaliser: { normalise: async () => ({ kind: 'ignore', reason: 'not ours' }) },
        sink: { deliver: async () => ({ kind: 'delivered' }) },
        logger,
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

describe('event pipeline with a run that is not final yet', () => {
  it('asks again with backoff while the event is pending, then delivers and acks it, logging no warning', async () => {
    const source = new InMemoryRunEventSource();
    const logger = new RecordingLogger();
    const delivered: Event[] = [];
    let asked = 0;
    const pipeline = pipelineOver(
      source,
      {
        normaliser: {
          normalise: async (payload) => {
            asked += 1;
            return asked < 3 ? { kind: 'pending', reason: 'the job is still running' } : { kind: 'completed', event: payload as Event };
          },
        },
        sink: {
          deliver: async (event) => {
            delivered.push(event);
            return { kind: 'delivered' };
          },
        },
        logger,
      },
      { concurrency: 1, maxAgeMs: 60_000, retryInitialMs: 1, retryMaxMs: 2 },
    );
    await pipeline.start();
    const event = RunCompletionEventMother.valid();
    const id = source.publish(event);
    await eventually('the message is acked', () => source.states().get(id) === 'acked', 2000);
    expect(asked).to.equal(3);
    expect(delivered).to.deep.equal([event]);
    expect(logger.at('info').filter((line) => line.fields['reason'] === 'the job is still running')).to.have.length(2);
    expect(logger.at('warn')).to.deep.equal([]);
    await pipeline.stop(100);
  });

  it('drops an event still pending at the maximum age, with an error line and a Discarded count', async () => {
    const source = new InMemoryRunEventSource();
    const logger = new RecordingLogger();
    const results: string[] = [];
    const metrics: EventPipelineMetrics = { ...noMetrics, countSendResult: (result) => results.push(result) };
    const processor = new RunEventAttempt({
      normaliser: { normalise: async () => ({ kind: 'pending', reason: 'the job is still running' }) },
      sink: { deliver: async () => ({ kind: 'delivered' }) },
      metrics,
      logger,
    });
    const pipeline = new EventPipeline(
      { source, processor, metrics, logger, clock: { now: () => new Date() } },
      { concurrency: 1, maxAgeMs: 40, retryInitialMs: 5, retryMaxMs: 10 },
    );
    await pipeline.start();
    const id = source.publish({ job: 'slow' });
    await eventually('the message is acked', () => source.states().get(id) === 'acked', 2000);
    expect(results).to.deep.equal(['Discarded']);
    const dropped = logger.at('error');
    expect(dropped).to.have.length(1);
    expect(dropped[0]!.message).to.include('older than the maximum retry age');
    expect(dropped[0]!.fields['payload']).to.deep.equal({ job: 'slow' });
    await pipeline.stop(100);
  });

  it('asks again when its processor throws instead of answering', async () => {
    const source = new InMemoryRunEventSource();
    let calls = 0;
    const processor: SingleEventProcessor = {
      processOnce: async () => {
        calls += 1;
        if (calls === 1) throw new Error('processor exploded');
        return 'delivered';
      },
    };
    const logger = new RecordingLogger();
    const pipeline = new EventPipeline(
      { source, processor, metrics: noMetrics, logger, clock: { now: () => new Date() } },
      { concurrency: 1, maxAgeMs: 60_000, retryInitialMs: 1, retryMaxMs: 2 },
    );
    await pipeline.start();
    const id = source.publish({ any: 'payload' });
    await eventually('the message is acked', () => source.states().get(id) === 'acked', 2000);
    expect(calls).to.equal(2);
    expect(logger.at('warn').map((line) => line.fields['error'])).to.deep.equal(['Error: processor exploded']);
    await pipeline.stop(100);
  });
});
