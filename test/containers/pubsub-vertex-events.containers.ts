import { PubSub } from '@google-cloud/pubsub';
import { expect } from 'chai';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { toProtoStruct } from '../../src/adapters/vertex/protobuf-values.js';
import { createProviderService, type ProviderService } from '../../src/composition/create-provider-service.js';
import { RecordingWebhookReceiver } from '../../src/testing/recording-webhook-receiver.js';
import { FakeVertexServer } from '../support/fake-vertex-server.js';

const project = 'test-project';
const parent = `projects/${project}/locations/europe-west2`;

describe('Vertex AI run events through the composed service (Pub/Sub emulator container)', function () {
  this.timeout(300_000);
  let emulator: StartedTestContainer | undefined;
  let vertex: FakeVertexServer | undefined;
  let webhook: RecordingWebhookReceiver | undefined;
  let admin: PubSub | undefined;
  let service: ProviderService | undefined;

  before(async () => {
    emulator = await new GenericContainer('gcr.io/google.com/cloudsdktool/google-cloud-cli:emulators')
      .withCommand(['gcloud', 'beta', 'emulators', 'pubsub', 'start', '--host-port=0.0.0.0:8085', `--project=${project}`])
      .withExposedPorts(8085)
      .withWaitStrategy(Wait.forLogMessage(/Server started, listening on 8085/))
      .start();
    const emulatorHost = `${emulator.getHost()}:${emulator.getMappedPort(8085)}`;
    admin = new PubSub({ projectId: project, apiEndpoint: emulatorHost, emulatorMode: true });
    await admin.createTopic('pipeline-events');
    await admin.topic('pipeline-events').createSubscription('pipeline-events-sub');
    vertex = await new FakeVertexServer().start();
    webhook = await new RecordingWebhookReceiver().start();
    service = createProviderService({
      provider: 'vai',
      config: {
        PROVIDERNAME: 'ops/vertex-provider',
        PIPELINEROOTSTORAGE: 'gs://pipeline-root',
        OPERATORWEBHOOK: webhook.url,
        PUBSUB_EMULATOR_HOST: emulatorHost,
        PARAMETERS_VAIPROJECT: project,
        PARAMETERS_VAILOCATION: 'europe-west2',
        PARAMETERS_PIPELINEBUCKET: 'pipelines',
        PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION: 'pipeline-events-sub',
        PARAMETERS_VAIENDPOINT: vertex.endpoint,
        PARAMETERS_GCSENDPOINT: 'http://127.0.0.1:1',
        EVENTS_RETRY_INITIAL_MS: '100',
        SHUTDOWN_TIMEOUT_MS: '2000',
      },
    });
    await service.start();
  });

  after(async () => {
    await service?.stop();
    await admin?.close();
    await webhook?.stop();
    await vertex?.stop();
    await emulator?.stop();
  });

  it('is ready once the subscription is connected', async () => {
    expect((await fetch(`${service!.url}/readyz`)).status).to.equal(200);
  });

  it('delivers a finished job announced on Pub/Sub to the webhook, read back from Vertex AI', async () => {
    vertex!.jobs.set(`${parent}/pipelineJobs/team-train-v1`, {
      name: `${parent}/pipelineJobs/team-train-v1`,
      state: 'PIPELINE_STATE_SUCCEEDED',
      labels: { 'pipeline-name': 'train', 'pipeline-namespace': 'team', 'run-name': 'train', 'run-namespace': 'team' },
      jobDetail: {
        taskDetails: [
          { taskName: 'Trainer', outputs: { model: { artifacts: [{ uri: 'gs://pipeline-root/model', metadata: toProtoStruct({}) }] } } },
        ],
      },
    });
    const logEntry = {
      resource: { type: 'aiplatform.googleapis.com/PipelineJob', labels: { pipeline_job_id: 'team-train-v1', location: 'europe-west2' } },
      jsonPayload: { state: 'PIPELINE_STATE_SUCCEEDED' },
    };
    await admin!.topic('pipeline-events').publishMessage({ data: Buffer.from(JSON.stringify(logEntry)) });

    const [request] = await webhook!.waitForRequests(1, 60_000);
    expect(request!.headers['content-type']).to.equal('application/json');
    expect(request!.json).to.deep.include({
      status: 'succeeded',
      pipelineName: 'team/train',
      runName: 'team/train',
      runId: 'team-train-v1',
      provider: 'ops/vertex-provider',
    });
  });
});
