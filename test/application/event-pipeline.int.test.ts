import { expect } from 'chai';
import { toRunCompletionEventData } from '../../src/domain/run-completion-event.js';
import type { ReceivedRequest, ScriptedAnswer } from '../../src/testing/recording-webhook-receiver.js';
import { RunCompletionEventMother } from '../support/definition-mother.js';
import { type PipelineHarness, type PipelineHarnessOptions, sendResults, startPipelineHarness } from '../support/event-pipeline-harness.js';
import { eventually } from '../support/eventually.js';

const empty = { namespace: '', name: '' };

describe('event pipeline (in-memory source → webhook)', function () {
  let harness: PipelineHarness | undefined;

  async function start(
    options: PipelineHarnessOptions = {},
    answer: ScriptedAnswer | ((request: ReceivedRequest, index: number) => ScriptedAnswer) = 200,
  ): Promise<PipelineHarness> {
    harness = await startPipelineHarness(options);
    harness.receiver.answerWith(answer);
    await harness.pipeline.start();
    return harness;
  }

  async function settledStates(h: PipelineHarness, count: number): Promise<Map<string, string>> {
    await eventually(
      `${count} messages settled`,
      () => [...h.source.states().values()].filter((state) => state === 'acked' || state === 'released').length >= count,
    );
    return new Map(h.source.states());
  }

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('is ready once started and not after stop', async () => {
    const h = await start();
    expect(h.pipeline.isReady()).to.equal(true);
    await h.pipeline.stop(50);
    expect(h.pipeline.isReady()).to.equal(false);
  });

  it('delivers an event as exactly application/json with the RunCompletionEventData body, then acks it', async () => {
    const h = await start();
    const event = RunCompletionEventMother.valid();
    const id = h.source.publish(event);
    const states = await settledStates(h, 1);
    expect(states.get(id)).to.equal('acked');
    expect(h.receiver.requests).to.have.length(1);
    const [request] = h.receiver.requests;
    expect(request!.method).to.equal('POST');
    expect(request!.headers['content-type']).to.equal('application/json');
    expect(request!.json).to.deep.equal(toRunCompletionEventData(event));
    expect(await sendResults(h.metrics)).to.deep.equal({ Success: 1, RecoverableFailure: 0, UnrecoverableFailure: 0, Discarded: 0 });
  });

  for (const status of [410, 400, 415]) {
    it(`drops an event the webhook answers ${status} without retrying, logging the whole event`, async () => {
      const h = await start({}, status);
      const event = RunCompletionEventMother.valid({ runId: `r-${status}` });
      const id = h.source.publish(event);
      const states = await settledStates(h, 1);
      expect(states.get(id)).to.equal('acked');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(h.receiver.requests).to.have.length(1);
      expect(await sendResults(h.metrics)).to.deep.equal({ Success: 0, RecoverableFailure: 0, UnrecoverableFailure: 1, Discarded: 0 });
      const errors = h.logger.at('error');
      expect(errors).to.have.length(1);
      expect(errors[0]!.fields['event']).to.deep.equal(toRunCompletionEventData(event));
      expect(String(errors[0]!.fields['reason'])).to.include(String(status));
    });
  }

  const recoverable: Array<{ why: string; first: ScriptedAnswer }> = [
    { why: 'a 500', first: 500 },
    { why: 'a 503', first: 503 },
    { why: 'a 404 (any other status)', first: 404 },
    { why: 'a 201 (not exactly 200)', first: 201 },
    { why: 'a closed connection', first: 'close' },
    { why: 'no answer within the sink timeout', first: 'hang' },
  ];
  for (const { why, first } of recoverable) {
    it(`retries after ${why} and acks once the webhook answers 200`, async () => {
      const h = await start({ webhookTimeoutMs: 150 }, (_request, index) => (index < 2 ? first : 200));
      const id = h.source.publish(RunCompletionEventMother.valid());
      const states = await settledStates(h, 1);
      expect(states.get(id)).to.equal('acked');
      expect(h.receiver.requests).to.have.length(3);
      expect(h.receiver.events[0]).to.deep.equal(h.receiver.events[2]);
      expect(await sendResults(h.metrics)).to.deep.equal({ Success: 1, RecoverableFailure: 2, UnrecoverableFailure: 0, Discarded: 0 });
    });
  }

  it('waits with backoff between retries', async () => {
    const h = await start({ retryInitialMs: 40, retryMaxMs: 80, random: () => 1 }, (_request, index) => (index < 3 ? 500 : 200));
    const started = Date.now();
    h.source.publish(RunCompletionEventMother.valid());
    await settledStates(h, 1);
    // 40 + 80 + 80 ms of backoff with the jitter pinned to the ceiling.
    expect(Date.now() - started).to.be.at.least(190);
    expect(h.receiver.requests).to.have.length(4);
  });

  it('drops an invalid event without sending it, counted as Discarded', async () => {
    const h = await start();
    const id = h.source.publish(RunCompletionEventMother.valid({ runName: empty, runConfigurationName: empty }));
    const garbage = h.source.publish({ hello: 'world' });
    const states = await settledStates(h, 2);
    expect(states.get(id)).to.equal('acked');
    expect(states.get(garbage)).to.equal('acked');
    expect(h.receiver.requests).to.have.length(0);
    expect(await sendResults(h.metrics)).to.deep.equal({ Success: 0, RecoverableFailure: 0, UnrecoverableFailure: 0, Discarded: 2 });
    expect(h.logger.at('warn').map((line) => line.fields['payload'])).to.deep.include({ hello: 'world' });
  });

  it('drops an event still failing after the maximum age with an error log carrying the whole event', async () => {
    const h = await start({ maxAgeMs: 60 }, 500);
    const event = RunCompletionEventMother.valid({ runId: 'too-old' });
    const id = h.source.publish(event);
    const states = await settledStates(h, 1);
    expect(states.get(id)).to.equal('acked');
    expect(h.receiver.requests.length).to.be.at.least(2);
    const counts = await sendResults(h.metrics);
    expect(counts.Discarded).to.equal(1);
    expect(counts.RecoverableFailure).to.equal(h.receiver.requests.length);
    const dropped = h.logger.at('error').filter((line) => line.message.includes('dropped'));
    expect(dropped).to.have.length(1);
    expect(dropped[0]!.fields['payload']).to.deep.equal(event);
    expect(dropped[0]!.fields['messageId']).to.equal(id);
  });

  it('measures the age from when the source first saw the event, and drops a too-old one before sending', async () => {
    const longAgo = new Date(Date.now() - 3_600_000);
    const h = await start({ maxAgeMs: 60_000, sourceClock: { now: () => longAgo } }, 200);
    const id = h.source.publish(RunCompletionEventMother.valid());
    const states = await settledStates(h, 1);
    expect(states.get(id)).to.equal('acked');
    expect(h.receiver.requests).to.have.length(0);
    expect((await sendResults(h.metrics)).Discarded).to.equal(1);
  });

  it('loses nothing when the webhook fails half the time: 500 events each delivered at least once', async function () {
    this.timeout(20_000);
    const h = await start({ concurrency: 32 }, (_request, index) => (index % 2 === 0 ? 500 : 200));
    const runIds = Array.from({ length: 500 }, (_, n) => `run-${n}`);
    for (const runId of runIds) h.source.publish(RunCompletionEventMother.valid({ runId }));
    await eventually('500 messages acked', () => h.source.idsIn('acked').length === 500, 15_000);
    const delivered = new Set(
      h.receiver.requests.filter((_request, index) => index % 2 === 1).map((request) => (request.json as { runId: string }).runId),
    );
    expect(runIds.filter((runId) => !delivered.has(runId))).to.deep.equal([]);
    const counts = await sendResults(h.metrics);
    expect(counts.Success).to.equal(500);
    expect(counts.RecoverableFailure).to.equal(h.receiver.requests.length - 500);
  });

  it('never has more webhook requests open than its concurrency', async () => {
    const h = await start({ concurrency: 3, webhookTimeoutMs: 5000 }, 'hang');
    for (let n = 0; n < 10; n += 1) h.source.publish(RunCompletionEventMother.valid({ runId: `r-${n}` }));
    await h.receiver.waitForRequests(3, 2000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.receiver.requests).to.have.length(3);
    expect(h.source.idsIn('in-flight')).to.have.length(3);
    expect(h.source.idsIn('queued')).to.have.length(7);
  });

  it('hands undelivered messages back on stop, within the shutdown budget', async () => {
    const h = await start({ concurrency: 2, webhookTimeoutMs: 5000 }, 'hang');
    const ids = [
      h.source.publish(RunCompletionEventMother.valid({ runId: 'a' })),
      h.source.publish(RunCompletionEventMother.valid({ runId: 'b' })),
    ];
    await h.receiver.waitForRequests(2, 2000);
    const started = Date.now();
    await h.pipeline.stop(50);
    expect(Date.now() - started).to.be.below(1000);
    expect(ids.map((id) => h.source.states().get(id))).to.deep.equal(['released', 'released']);
    expect(h.logger.at('warn').some((line) => line.message.includes('handing unsettled'))).to.equal(true);
  });

  it('hands back a message waiting for its retry on stop', async () => {
    const h = await start({ retryInitialMs: 10_000, retryMaxMs: 10_000 }, 500);
    const id = h.source.publish(RunCompletionEventMother.valid());
    await h.receiver.waitForRequests(1, 2000);
    await eventually(
      'the retry wait',
      async () => (await h.metrics.registry.getSingleMetric('provider_event_pipeline_awaiting_retry')!.get()).values[0]?.value === 1,
    );
    const started = Date.now();
    await h.pipeline.stop(1000);
    expect(Date.now() - started).to.be.below(500);
    expect(h.source.states().get(id)).to.equal('released');
  });

  it('makes one attempt at a payload for relays, without retrying', async () => {
    const h = await start({}, 500);
    expect(await h.attempt.processOnce(RunCompletionEventMother.valid(), 'relay-1')).to.equal('retry');
    h.receiver.answerWith(200);
    expect(await h.attempt.processOnce(RunCompletionEventMother.valid(), 'relay-2')).to.equal('delivered');
    h.receiver.answerWith(410);
    expect(await h.attempt.processOnce(RunCompletionEventMother.valid(), 'relay-3')).to.equal('rejected');
    expect(await h.attempt.processOnce({ not: 'an event' }, 'relay-4')).to.equal('invalid');
    expect(h.receiver.requests).to.have.length(3);
  });
});
