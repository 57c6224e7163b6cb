import { PubSub } from '@google-cloud/pubsub';
import { expect } from 'chai';
import type { Container } from 'inversify';
import { WebhookRunCompletionSink } from '../../../src/adapters/operator/webhook-run-completion-sink.js';
import { EventPipeline } from '../../../src/application/event-pipeline.js';
import { RunEventAttempt } from '../../../src/application/run-event-attempt.js';
import type { EventPipelineMetrics, WebhookSendResult } from '../../../src/ports/event-pipeline-metrics.js';
import { RunEventNormaliser } from '../../../src/ports/run-event-normaliser.js';
import { RunEventSource } from '../../../src/ports/run-event-source.js';
import { RecordingWebhookReceiver } from '../../../src/testing/recording-webhook-receiver.js';
import { eventually } from '../../support/eventually.js';
import { FakeVertexServer } from '../../support/fake-vertex-server.js';
import { PubSubEmulator } from '../../support/pubsub-emulator.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { vertexTestContainer } from './vertex-test-container.js';
import { finishedJob, logEntry, vertexParent as parent } from './vertex-log-entries.js';

class CountingMetrics implements EventPipelineMetrics {
  readonly results: WebhookSendResult[] = [];
  countSendResult(result: WebhookSendResult): void {
    this.results.push(result);
  }
  setInFlight(): void {}
  setAwaitingRetry(): void {}
  observeSettleLatency(): void {}
}

describe('Vertex run events (Pub/Sub emulator, in-test Vertex gRPC server, real webhook)', function () {
  this.timeout(60_000);
  const emulator = new PubSubEmulator();
  let vertex: FakeVertexServer;
  let receiver: RecordingWebhookReceiver;
  let admin: PubSub;
  let sequence = 0;
  let subscription = '';
  let topic = '';
  let running: Array<{ container: Container; pipeline: EventPipeline }> = [];
  const warnings: string[] = [];
  const recordWarning = (warning: Error): void => {
    warnings.push(warning.name);
  };

  before(async function () {
    this.timeout(120_000);
    process.on('warning', recordWarning);
    await emulator.start();
    vertex = await new FakeVertexServer().start();
    receiver = await new RecordingWebhookReceiver().start();
    admin = new PubSub({ projectId: 'test-project', apiEndpoint: emulator.host, emulatorMode: true, universeDomain: 'googleapis.com' });
  });

  after(async () => {
    process.off('warning', recordWarning);
    await admin?.close();
    await receiver?.stop();
    await vertex?.stop();
    await emulator.stop();
  });

  beforeEach(async () => {
    sequence += 1;
    topic = `pipeline-events-${sequence}`;
    subscription = `pipeline-events-sub-${sequence}`;
    await admin.createTopic(topic);
    await admin.topic(topic).createSubscription(subscription);
    receiver.answerWith(200);
    vertex.jobs.clear();
    vertex.calls.length = 0;
  });

  afterEach(async () => {
    for (const { container, pipeline } of running.splice(0)) await stopPipeline(container, pipeline);
  });

  async function stopPipeline(container: Container, pipeline: EventPipeline): Promise<void> {
    await pipeline.stop(2000);
    await container.unbindAllAsync();
  }

  async function startPipeline(logger = new RecordingLogger(), metrics = new CountingMetrics()) {
    const container = vertexTestContainer({ vaiEndpoint: vertex.endpoint, pubsubEmulatorHost: emulator.host, subscription }, logger);
    const pipeline = new EventPipeline(
      {
        source: await container.getAsync<RunEventSource>(RunEventSource),
        processor: new RunEventAttempt({
          normaliser: await container.getAsync<RunEventNormaliser>(RunEventNormaliser),
          sink: new WebhookRunCompletionSink({ url: receiver.url, timeoutMs: 2000 }),
          metrics,
          logger,
        }),
        metrics,
        logger,
        clock: { now: () => new Date() },
      },
      { concurrency: 4, maxAgeMs: 60_000, retryInitialMs: 50, retryMaxMs: 200 },
    );
    running.push({ container, pipeline });
    await pipeline.start();
    return { container, pipeline, logger, metrics };
  }

  async function publish(data: string): Promise<void> {
    await admin.topic(topic).publishMessage({ data: Buffer.from(data) });
  }

  function deliveredRunIds(): string[] {
    return receiver.requests.map((request) => (request.json as { runId?: string }).runId ?? '');
  }

  it('delivers the completion of a finished job, read from Vertex AI', async () => {
    vertex.jobs.set(`${parent}/pipelineJobs/team-train-v1`, finishedJob('team-train-v1'));
    const before = receiver.requests.length;
    await startPipeline();
    await publish(logEntry('team-train-v1'));
    const requests = await receiver.waitForRequests(before + 1);
    expect(requests[before]!.headers['content-type']).to.equal('application/json');
    expect(requests[before]!.json).to.deep.equal({
      status: 'succeeded',
      pipelineName: 'team/pipe',
      runName: 'team/team-train-v1',
      runId: 'team-train-v1',
      runStartTime: '2030-03-17T17:46:40.500Z',
      runEndTime: '2030-03-17T17:47:40.000Z',
      pipelineComponents: [
        {
          name: 'Trainer',
          componentArtifacts: [
            { name: 'model', artifacts: [{ uri: 'gs://pipeline-root/model', metadata: { accuracy: 0.9, tags: ['a'] } }] },
          ],
        },
      ],
      provider: 'ops/vertex-provider',
    });
    expect(vertex.requestsOf('GetPipelineJob')[0]).to.deep.equal({ name: `${parent}/pipelineJobs/team-train-v1` });
  });

  it('fetches the job with the routing header and the backend deadline, as the generated client would', async () => {
    vertex.jobs.set(`${parent}/pipelineJobs/team-train-v2`, finishedJob('team-train-v2'));
    const before = receiver.requests.length;
    await startPipeline();
    const published = Date.now();
    await publish(logEntry('team-train-v2'));
    await receiver.waitForRequests(before + 1);
    const call = vertex.calls.find(
      (received) => received.method === 'GetPipelineJob' && received.request['name'] === `${parent}/pipelineJobs/team-train-v2`,
    );
    expect(String(call!.metadata['x-goog-request-params'])).to.equal(`name=${encodeURIComponent(`${parent}/pipelineJobs/team-train-v2`)}`);
    expect(call!.deadline - published).to.be.within(25_000, 31_000);
  });

  it('drops malformed entries and unknown jobs with a warning instead of retrying them', async () => {
    vertex.jobs.set(`${parent}/pipelineJobs/good-1`, finishedJob('good-1', 'PIPELINE_STATE_FAILED'));
    const before = receiver.requests.length;
    const { logger, metrics } = await startPipeline();
    await publish('this is not JSON');
    await publish(JSON.stringify({ resource: { labels: {} } }));
    await publish(logEntry('no-such-job'));
    await publish(logEntry('good-1'));
    await receiver.waitForRequests(before + 1);
    await eventually(
      'three dropped messages',
      () => logger.at('warn').filter((line) => line.message === 'run event is malformed; dropped').length === 3,
    );
    // Give a nacked message time to come back; dropped ones must not.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const dropped = logger.at('warn').filter((line) => line.message === 'run event is malformed; dropped');
    expect(dropped.map((line) => line.fields['reason'])).to.have.members([
      'the message is not JSON',
      'the log entry has no resource.labels.pipeline_job_id string',
      'pipeline job no-such-job does not exist on Vertex AI',
    ]);
    expect(deliveredRunIds().slice(before)).to.deep.equal(['good-1']);
    expect((receiver.requests.at(-1)!.json as { status: string }).status).to.equal('failed');
    expect(metrics.results.filter((result) => result === 'Discarded')).to.have.length(3);
  });

  it('retries a job that has not finished yet until it has', async () => {
    const name = `${parent}/pipelineJobs/slow-1`;
    vertex.jobs.set(name, finishedJob('slow-1', 'PIPELINE_STATE_RUNNING'));
    const before = receiver.requests.length;
    await startPipeline();
    await publish(logEntry('slow-1'));
    await eventually('the job to be fetched twice', () => vertex.requestsOf('GetPipelineJob').length >= 2, 10_000);
    expect(receiver.requests.length).to.equal(before);
    vertex.jobs.set(name, finishedJob('slow-1'));
    await receiver.waitForRequests(before + 1);
    expect(deliveredRunIds().slice(before)).to.deep.equal(['slow-1']);
  });

  it('loses nothing while the webhook is down, also across a restart', async () => {
    for (const id of ['outage-1', 'outage-2', 'outage-3']) vertex.jobs.set(`${parent}/pipelineJobs/${id}`, finishedJob(id));
    receiver.answerWith(503);
    const before = receiver.requests.length;
    const first = await startPipeline();
    for (const id of ['outage-1', 'outage-2', 'outage-3']) await publish(logEntry(id));
    await receiver.waitForRequests(before + 6);
    running = running.filter((entry) => entry.pipeline !== first.pipeline);
    await stopPipeline(first.container, first.pipeline);

    const accepted = new Set<string>();
    receiver.answerWith((request) => {
      accepted.add((request.json as { runId: string }).runId);
      return 200;
    });
    await startPipeline();
    await eventually('every event accepted', () => accepted.size === 3, 20_000);
    expect([...accepted].sort()).to.deep.equal(['outage-1', 'outage-2', 'outage-3']);
  });

  it('refuses to start on a subscription that does not exist, naming it', async () => {
    subscription = 'missing-subscription';
    const container = vertexTestContainer({ vaiEndpoint: vertex.endpoint, pubsubEmulatorHost: emulator.host, subscription });
    try {
      const source = await container.getAsync<RunEventSource>(RunEventSource);
      let failure: Error | undefined;
      await source.start().catch((error: Error) => {
        failure = error;
      });
      expect(failure?.message).to.match(/missing-subscription does not exist/);
    } finally {
      await container.unbindAllAsync();
    }
  });

  it('never looked for credentials on a metadata server', () => {
    expect(warnings).not.to.include('MetadataLookupWarning');
  });
});
