import { PubSub } from '@google-cloud/pubsub';
import { expect } from 'chai';
import { RecordingWebhookReceiver } from '../src/testing/recording-webhook-receiver.js';
import { eventually } from './support/eventually.js';
import { FakeVertexServer } from './support/fake-vertex-server.js';
import { PubSubEmulator } from './support/pubsub-emulator.js';
import { ServiceProcess } from './support/service-process.js';

const project = 'test-project';
const parent = `projects/${project}/locations/europe-west2`;
const concurrency = 4;
const successes = 'provider_webhook_send_events_count_total{result="Success"}';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('several vai replicas (dist/main.js) sharing one Pub/Sub subscription', function () {
  this.timeout(60_000);
  const emulator = new PubSubEmulator(project);
  let vertex: FakeVertexServer;
  let receiver: RecordingWebhookReceiver;
  let admin: PubSub;
  let sequence = 0;
  let topic = '';
  let subscription = '';
  const replicas: ServiceProcess[] = [];

  before(async function () {
    this.timeout(120_000);
    await emulator.start();
    vertex = await new FakeVertexServer().start();
    receiver = await new RecordingWebhookReceiver().start();
    admin = new PubSub({ projectId: project, apiEndpoint: emulator.host, emulatorMode: true, universeDomain: 'googleapis.com' });
  });

  after(async () => {
    await admin?.close();
    await receiver?.stop();
    await vertex?.stop();
    await emulator.stop();
  });

  beforeEach(async () => {
    sequence += 1;
    topic = `replica-events-${sequence}`;
    subscription = `replica-events-sub-${sequence}`;
    await admin.createTopic(topic);
    await admin.topic(topic).createSubscription(subscription);
    receiver.answerWith(200);
  });

  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((replica) => replica.stop()));
  });

  async function replica(name: string): Promise<ServiceProcess> {
    const started = await ServiceProcess.start(name, {
      PROVIDER_TYPE: 'vai',
      PROVIDERNAME: 'ops/vai',
      PIPELINEROOTSTORAGE: 'gs://pipeline-root',
      OPERATORWEBHOOK: receiver.url,
      PARAMETERS_VAIPROJECT: project,
      PARAMETERS_VAILOCATION: 'europe-west2',
      PARAMETERS_PIPELINEBUCKET: 'pipelines',
      PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION: subscription,
      PARAMETERS_VAIENDPOINT: vertex.endpoint,
      // Never called while only events flow; a closed port makes a stray call fail at once.
      PARAMETERS_GCSENDPOINT: 'http://127.0.0.1:1',
      PUBSUB_EMULATOR_HOST: emulator.host,
      EVENTS_CONCURRENCY: String(concurrency),
      EVENTS_RETRY_INITIAL_MS: '100',
      SHUTDOWN_TIMEOUT_MS: '2000',
      LOG_LEVEL: 'warn',
    });
    replicas.push(started);
    return started;
  }

  /** A finished job Vertex AI knows, and the Cloud Logging entry announcing it. */
  async function finish(jobId: string): Promise<void> {
    vertex.jobs.set(`${parent}/pipelineJobs/${jobId}`, {
      name: `${parent}/pipelineJobs/${jobId}`,
      state: 'PIPELINE_STATE_SUCCEEDED',
      labels: { 'pipeline-name': 'pipe', 'pipeline-namespace': 'team', 'run-name': jobId, 'run-namespace': 'team' },
    });
    const entry = {
      resource: { labels: { pipeline_job_id: jobId, location: 'europe-west2' } },
      jsonPayload: { state: 'PIPELINE_STATE_SUCCEEDED' },
    };
    await admin.topic(topic).publishMessage({ data: Buffer.from(JSON.stringify(entry)) });
  }

  async function finishSteadily(prefix: string, count: number, everyMs: number): Promise<string[]> {
    const ids: string[] = [];
    for (let index = 0; index < count; index += 1) {
      ids.push(`${prefix}-${index}`);
      await finish(`${prefix}-${index}`);
      await sleep(everyMs);
    }
    return ids;
  }

  function delivered(prefix: string): string[] {
    return receiver.events.map((event) => (event as { runId: string }).runId).filter((runId) => runId.startsWith(`${prefix}-`));
  }

  async function expectEveryJobDelivered(ids: string[], maxDuplicates: number, timeoutMs: number): Promise<void> {
    const prefix = ids[0]!.split('-').slice(0, -1).join('-');
    await eventually('every job to be delivered', () => new Set(delivered(prefix)).size === ids.length, timeoutMs, 20);
    await sleep(500);
    const runIds = delivered(prefix);
    expect([...new Set(runIds)].sort()).to.deep.equal([...ids].sort());
    expect(runIds.length - ids.length, `duplicates among ${runIds.length} deliveries`).to.be.at.most(maxDuplicates);
  }

  it('two running replicas deliver every event once between them, each counting its own deliveries', async () => {
    const [a, b] = await Promise.all([replica('vai-a'), replica('vai-b')]);
    await Promise.all([a.ready(), b.ready()]);
    const ids = await finishSteadily('shared', 30, 10);
    // Both run and acknowledge in time: without a redelivery there is no duplicate at all.
    await expectEveryJobDelivered(ids, 0, 15_000);
    expect(((await a.metric(successes)) ?? 0) + ((await b.metric(successes)) ?? 0)).to.equal(30);
    expect(await a.metric('provider_leader')).to.equal(0);
  });

  // A crashed replica's messages come back only as their leases expire, which the emulator does
  // in sweeps of the ack deadline (a minute for 30 messages); a graceful stop hands them back at once.
  it('a rolling update: B starts while A runs, A gets SIGTERM once B is ready; nothing is lost', async () => {
    const a = await (await replica('vai-a')).ready();
    const flow = finishSteadily('rolling', 40, 30);
    await sleep(200);
    await (await replica('vai-b')).ready();
    expect((await a.kill('SIGTERM')).code).to.equal(0);
    const ids = await flow;
    await expectEveryJobDelivered(ids, concurrency, 15_000);
  });
});
