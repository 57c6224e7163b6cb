import { Storage } from '@google-cloud/storage';
import { expect } from 'chai';
import { InMemoryRunEventSource } from '../../../src/adapters/memory/in-memory-run-event-source.js';
import { GcsPipelineStore } from '../../../src/adapters/vertex/gcs-pipeline-store.js';
import { createProviderService, type ProviderService } from '../../../src/composition/create-provider-service.js';
import { BackendError } from '../../../src/domain/errors.js';
import { RecordingWebhookReceiver } from '../../../src/testing/recording-webhook-receiver.js';
import { validRequestBodies } from '../../../src/testing/contract-request-bodies.js';
import { eventually } from '../../support/eventually.js';
import { FakeGcsServer } from '../../support/fake-gcs-server.js';
import { send } from '../../support/http-client.js';
import { type SilentTcpServer, startSilentTcpServer } from '../../support/silent-tcp-server.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { rejection } from '../../support/rejection.js';

const deadlineMs = 300;

/** Runs `call` and answers how long it took to reject, and with what. */
async function timedRejection(call: () => Promise<unknown>): Promise<{ error: Error; ms: number }> {
  const started = Date.now();
  const error = await rejection(call());
  return { error, ms: Date.now() - started };
}

describe('GCS pipeline store against a storage endpoint that never answers', function () {
  this.timeout(10_000);
  let gcs: FakeGcsServer;
  let store: GcsPipelineStore;

  // The storage client as the Vertex module builds it: its request timeout is the deadline too.
  function storeWithDeadline(timeoutMs: number): GcsPipelineStore {
    const storage = new Storage({
      apiEndpoint: gcs.url,
      projectId: 'test-project',
      timeout: timeoutMs,
      retryOptions: { totalTimeout: timeoutMs / 1000 },
    });
    return new GcsPipelineStore('pipelines', async () => storage.bucket('pipelines'), { timeoutMs });
  }

  beforeEach(async () => {
    gcs = await new FakeGcsServer().start();
    store = storeWithDeadline(deadlineMs);
  });

  afterEach(async () => {
    await gcs.stop();
  });

  it('still stores and reads back within the deadline when the endpoint answers', async () => {
    // A roomier deadline: the first call of a client also loads and connects it.
    const store = storeWithDeadline(10_000);
    await store.write('team/pipe/v1', { spec: true });
    expect(await store.read('team/pipe/v1', 'pipeline team/pipe version v1')).to.deep.equal({ spec: true });
  });

  const calls: Array<{ what: string; call: (store: GcsPipelineStore) => Promise<unknown>; message: string }> = [
    {
      what: 'an upload',
      call: (s) => s.write('team/pipe/v1', { spec: true }),
      message: `Cloud Storage upload of gs://pipelines/team/pipe/v1 timed out after ${deadlineMs} ms`,
    },
    {
      what: 'a download',
      call: (s) => s.read('team/pipe/v1', 'pipeline team/pipe version v1'),
      message: `Cloud Storage download of pipeline team/pipe version v1 from gs://pipelines/team/pipe/v1 timed out after ${deadlineMs} ms`,
    },
    {
      what: 'a listing',
      call: (s) => s.deletePrefix('team/pipe/'),
      message: `Cloud Storage listing of gs://pipelines/team/pipe/* timed out after ${deadlineMs} ms`,
    },
  ];
  for (const { what, call, message } of calls) {
    it(`ends ${what} at the deadline with a backend error naming the call`, async () => {
      gcs.hang = true;
      const { error, ms } = await timedRejection(() => call(store));
      expect(error).to.be.instanceOf(BackendError);
      expect(error.message).to.equal(message);
      expect(ms)
        .to.be.at.least(deadlineMs - 20)
        .and.below(deadlineMs + 1500);
      expect(gcs.requests.length).to.be.at.least(1);
    });
  }

  it('ends the deletion of a listed object at the deadline', async () => {
    gcs.objects.set('pipelines/team/pipe/v1', Buffer.from('{}'));
    gcs.hang = (request) => request.method === 'DELETE';
    const { error } = await timedRejection(() => store.deletePrefix('team/'));
    expect(error.message).to.equal(`Cloud Storage deletion of gs://pipelines/team/pipe/v1 timed out after ${deadlineMs} ms`);
  });
});

describe('Vertex AI service whose backends accept and never answer', function () {
  this.timeout(20_000);
  let gcs: FakeGcsServer;
  let vertex: SilentTcpServer;
  let webhook: RecordingWebhookReceiver;
  let service: ProviderService | undefined;
  let source: InMemoryRunEventSource;
  let logger: RecordingLogger;

  beforeEach(async () => {
    gcs = await new FakeGcsServer().start();
    gcs.hang = true;
    vertex = await startSilentTcpServer();
    webhook = await new RecordingWebhookReceiver().start();
    source = new InMemoryRunEventSource();
    logger = new RecordingLogger();
    service = createProviderService({
      provider: 'vai',
      eventSource: source,
      logger,
      config: {
        PROVIDERNAME: 'ops/vertex-provider',
        PIPELINEROOTSTORAGE: 'gs://pipeline-root',
        OPERATORWEBHOOK: webhook.url,
        PARAMETERS_VAIPROJECT: 'test-project',
        PARAMETERS_VAILOCATION: 'europe-west2',
        PARAMETERS_PIPELINEBUCKET: 'pipelines',
        PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION: 'unused',
        PARAMETERS_VAIENDPOINT: `http://${vertex.address}`,
        PARAMETERS_GCSENDPOINT: `${gcs.url}/storage/v1/`,
        BACKEND_TIMEOUT_MS: String(deadlineMs),
        EVENTS_RETRY_INITIAL_MS: '10000',
        SHUTDOWN_TIMEOUT_MS: '500',
      },
    });
    await service.start();
  });

  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await Promise.all([gcs.stop(), vertex.stop(), webhook.stop()]);
  });

  it('answers POST /resource/pipeline with a 500 naming the storage call that timed out', async () => {
    const started = Date.now();
    const answer = await send(service!.url!, 'POST', '/resource/pipeline', { json: validRequestBodies.pipeline });
    expect(answer.status).to.equal(500);
    expect(answer.json).to.deep.equal({
      providerError: `Cloud Storage upload of gs://pipelines/contract/pipeline/v1 timed out after ${deadlineMs} ms`,
    });
    expect(Date.now() - started).to.be.below(deadlineMs + 2000);
  });

  it('retries an event whose Vertex AI call hangs past the deadline, delivering nothing and holding it for the next attempt', async () => {
    const entry = JSON.stringify({ resource: { labels: { pipeline_job_id: 'team-run-v1' } }, jsonPayload: {} });
    const id = source.publish(entry);
    await eventually(
      'the attempt given up',
      () => logger.at('warn').some((line) => line.message.includes('retrying later')),
      deadlineMs + 5000,
    );
    const warning = logger.at('warn').find((line) => line.message.includes('retrying later'))!;
    expect(String(warning.fields['error']))
      .to.match(/GetPipelineJob/)
      .and.match(/deadline/i);
    const awaiting = (await service!.metrics.registry.getSingleMetric('provider_event_pipeline_awaiting_retry')!.get()).values[0]?.value;
    expect(awaiting).to.equal(1);
    expect(source.states().get(id)).to.equal('in-flight');
    expect(webhook.requests).to.have.length(0);
  });
});
