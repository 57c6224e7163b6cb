import { createRequire } from 'node:module';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { expect } from 'chai';
import { RecordingWebhookReceiver } from '../../src/testing/recording-webhook-receiver.js';
import { FakeKubeApiServer, kfpWorkflow } from '../adapters/kfp/fake-kube-api-server.js';
import { FakeKfpServer } from '../adapters/kfp/fake-kfp-server.js';
import { FakeMlmdServer, realisticComponents, realisticMlmdRun } from '../adapters/kfp/fake-mlmd-server.js';
import { kfpTestEnvironment } from '../adapters/kfp/kfp-test-environment.js';
import { eventually } from '../support/eventually.js';
import { FakeGcsServer } from '../support/fake-gcs-server.js';
import { FakeVertexServer } from '../support/fake-vertex-server.js';
import { PubSubEmulator } from '../support/pubsub-emulator.js';
import { PayloadService, runWarmCompileCache, warmCompileCache, writePayload } from './payload-service.js';

const project = 'payload-project';
const location = 'europe-west2';

/** A finished KFP workflow for `runId` that finished just now (older events are discarded). */
function finishedWorkflow(runId: string): Record<string, unknown> {
  const workflow = kfpWorkflow(`wf-${runId}`, runId, 'Succeeded');
  return {
    ...workflow,
    status: { phase: 'Succeeded', startedAt: new Date(Date.now() - 60_000).toISOString(), finishedAt: new Date().toISOString() },
  };
}

function seedKfpRun(kfp: FakeKfpServer, mlmd: FakeMlmdServer, runId: string): void {
  kfp.seedRun(runId, {
    runtime_config: { parameters: { 'pipeline-name': 'pipe', 'pipeline-namespace': 'team', 'run-name': 'run', 'run-namespace': 'team' } },
    created_at: new Date(Date.now() - 60_000).toISOString(),
  });
  mlmd.runs.set(runId, realisticMlmdRun());
}

async function filesUnder(directory: string): Promise<string[]> {
  return (await readdir(directory, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name);
}

describe('the image payload (scripts/image-payload.mjs) runs every provider on its own', function () {
  this.timeout(60_000);
  let payload: string;
  /** NODE_COMPILE_CACHE as the image sets it, filled as the image build fills it. */
  let imageEnvironment: Record<string, string>;
  let webhook: RecordingWebhookReceiver;
  let service: PayloadService | undefined;

  before(async function () {
    this.timeout(120_000);
    payload = await mkdtemp(join(tmpdir(), 'kfp-provider-payload-'));
    const report = await writePayload(payload);
    expect(report.mib, report.output).to.be.greaterThan(1).and.at.most(100);
    imageEnvironment = { NODE_COMPILE_CACHE: await warmCompileCache(payload) };
  });

  after(async () => {
    if (payload) await rm(payload, { recursive: true, force: true });
  });

  beforeEach(async () => {
    webhook = await new RecordingWebhookReceiver().start();
  });

  afterEach(async () => {
    const stopped = service;
    service = undefined;
    await webhook.stop();
    if (stopped) expect(await stopped.stop(), `the service must exit 0 on SIGTERM:\n${stopped.output}`).to.equal(0);
  });

  it('holds only what runs: no source maps, no declarations, and nothing resolves from outside it', async () => {
    const names = await filesUnder(payload);
    expect(names.filter((name) => name.endsWith('.map') || name.endsWith('.d.ts') || name.endsWith('.ts'))).to.deep.equal([]);
    const resolveFromPayload = createRequire(join(payload, 'dist', 'main.js'));
    expect(() => resolveFromPayload.resolve('koa'), 'koa is bundled; a node_modules above the payload would hide a gap').to.throw();
    expect(() => resolveFromPayload.resolve('@google-cloud/pubsub'), 'the Pub/Sub client is bundled').to.throw();
    expect(() => resolveFromPayload.resolve('google-gax'), 'google-gax is bundled').to.throw();
    // What is still read by path: the .proto files of the two Vertex AI services and what they import.
    expect(names).to.include.members(['pipeline_service.proto', 'schedule_service.proto', 'operations.proto']);
    expect(names.filter((name) => name.endsWith('_client.js'))).to.deep.equal([]);
  });

  it('fills no compile cache unless NODE_COMPILE_CACHE names one, and says so', async () => {
    const failure = await runWarmCompileCache(payload, {}).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).to.equal(2);
    expect(failure?.stderr).to.match(/set NODE_COMPILE_CACHE to a writable directory/);
  });

  it("leaves out the Pub/Sub packages' static protobuf classes, the services it never calls, the eager IAM clients and what start-up needs not load", async () => {
    const chunks = join(payload, 'dist', 'chunks');
    const sources = await Promise.all(
      (await readdir(chunks)).filter((name) => name.endsWith('.js')).map((name) => readFile(join(chunks, name), 'utf8')),
    );
    // Every generated decoder of the static modules constructs its message like this.
    expect(sources.filter((source) => /new [\w$.]*google\.pubsub\.v1\.PubsubMessage\b/.test(source))).to.deep.equal([]);
    // The definitions the client does encode with are still there; the Publisher's are not.
    expect(sources.some((source) => source.includes('"StreamingPullRequest"'))).to.equal(true);
    expect(sources.filter((source) => source.includes('"ListTopicsRequest"'))).to.deep.equal([]);
    expect(sources.filter((source) => source.includes('this.iamClient = new'))).to.deep.equal([]);
    // Nor the Vertex AI clients' 4 MB protos.json: the services they do call come from .proto files.
    expect(sources.filter((source) => source.includes('"DatasetService"'))).to.deep.equal([]);
    // The Pub/Sub gRPC clients build their service constructors without @grpc/proto-loader; only REST ones keep loadProtoJSON.
    const pubsub = sources.filter((source) => source.includes('var SubscriberClient = class'));
    expect(pubsub).to.have.length(1);
    const loads = pubsub[0]!.match(/this\._protos = [^;]*;/g) ?? [];
    expect(loads).to.have.length(3);
    for (const load of loads)
      expect(load).to.match(
        /^this\._protos = opts\.fallback \? this\._gaxGrpc\.loadProtoJSON\(jsonProtos\) : __grpcServiceClientsOfJson\(/,
      );
    // google-gax loads @grpc/proto-loader on first use only, and node:http is never imported as an ES module.
    expect(sources.filter((source) => /grpcProtoLoader = __importStar\(/.test(source))).to.deep.equal([]);
    const main = await readFile(join(payload, 'dist', 'main.js'), 'utf8');
    expect(main).to.include('require("node:http")');
    expect([main, ...sources].filter((source) => /^import [^;]* from "(node:)?http";/m.test(source))).to.deep.equal([]);
    // Koa's request and response load accepts, type-is and mime-types (with mime-db) on first use.
    for (const lazy of [
      /var accepts = \(\.\.\.(\w+)\) => require_accepts\(\)\(\.\.\.\1\);/,
      /var typeis = \(\.\.\.(\w+)\) => require_type_is\(\)\(\.\.\.\1\);/,
      /var typeis = \(\.\.\.(\w+)\) => require_type_is\(\)\.is\(\.\.\.\1\);/,
      /var getType = \(type\) => require_mime_types\d*\(\)\.contentType\(type\);/,
    ])
      expect(main).to.match(lazy);
  });

  it('local: a pipeline and a run, whose completion reaches the webhook; OpenAPI and metrics are served', async () => {
    service = await PayloadService.start(payload, {
      ...imageEnvironment,
      PROVIDERNAME: 'ops/local',
      PIPELINEROOTSTORAGE: 'gs://artifacts',
      OPERATORWEBHOOK: webhook.url,
      PARAMETERS_RUNDURATIONMS: '50',
    });
    const pipeline = { pipelineDefinition: { name: 'team-a/penguin', version: 'v1' }, compiledPipeline: {} };
    expect(await service.post('/resource/pipeline', pipeline)).to.deep.equal({ status: 201, body: { id: 'team-a/penguin' } });
    const run = {
      name: 'team-a/run-1',
      pipelineName: 'team-a/penguin',
      pipelineVersion: 'v1',
      artifacts: [{ name: 'model', path: 'Trainer:model' }],
    };
    const created = await service.post('/resource/run', run);
    expect(created.status).to.equal(201);
    const [request] = await webhook.waitForRequests(1);
    const runId = (created.body as { id: string }).id;
    expect(request!.json).to.deep.include({ status: 'succeeded', pipelineName: 'team-a/penguin', runName: 'team-a/run-1', runId });
    expect(request!.json).to.have.deep.property('pipelineComponents', [
      {
        name: 'Trainer',
        componentArtifacts: [{ name: 'model', artifacts: [{ uri: `gs://artifacts/team-a/penguin/${runId}/Trainer/model`, metadata: {} }] }],
      },
    ]);
    // Koa finds this media type with mime-types, which the bundle loads on first use.
    const openApi = await fetch(`${service.url}/openapi.yaml`);
    expect(openApi.headers.get('content-type')).to.equal('application/yaml');
    expect(await openApi.text()).to.match(/^openapi: /);
    expect(await (await fetch(`${service.metricsUrl}/metrics`)).text()).to.match(/^http_\w*request_duration_seconds_count\{/m);
  });

  describe('kfp', () => {
    let kfp: FakeKfpServer;
    let mlmd: FakeMlmdServer;

    beforeEach(async () => {
      [kfp, mlmd] = await Promise.all([new FakeKfpServer().start(), new FakeMlmdServer().start()]);
    });

    afterEach(async () => {
      await Promise.all([kfp.stop(), mlmd.stop()]);
    });

    const kfpEnvironment = (): Record<string, string> => ({
      ...kfpTestEnvironment(kfp.url),
      PARAMETERS_GRPCMETADATASTOREADDRESS: mlmd.address,
      OPERATORWEBHOOK: webhook.url,
    });

    it('in relay mode: an experiment on KFP, and a relayed workflow enriched from KFP and ML Metadata', async () => {
      seedKfpRun(kfp, mlmd, 'run-relay');
      service = await PayloadService.start(payload, { ...imageEnvironment, ...kfpEnvironment(), PARAMETERS_KFPWORKFLOWEVENTS: 'relay' });
      expect((await service.post('/resource/experiment', { name: 'team/exp', version: '', description: '' })).status).to.equal(201);
      expect(kfp.sequence).to.include('POST /experiments');
      expect(await service.post('/events/argo-workflows', finishedWorkflow('run-relay'))).to.have.property('status', 200);
      const [request] = await webhook.waitForRequests(1);
      expect(request!.json).to.deep.include({ status: 'succeeded', pipelineName: 'team/pipe', runName: 'team/run', runId: 'run-relay' });
      expect(request!.json).to.have.deep.property('pipelineComponents', realisticComponents);
    });

    it('in watch mode: a finished workflow seen through the Kubernetes watch is delivered and labelled', async () => {
      const kube = await new FakeKubeApiServer().start();
      try {
        seedKfpRun(kfp, mlmd, 'run-watch');
        service = await PayloadService.start(payload, {
          ...imageEnvironment,
          ...kfpEnvironment(),
          KUBECONFIG: await kube.writeKubeconfig(),
        });
        kube.put(finishedWorkflow('run-watch'));
        const [request] = await webhook.waitForRequests(1);
        expect(request!.json).to.deep.include({ status: 'succeeded', runId: 'run-watch' });
        await eventually('the workflow to be labelled as published', () => kube.patches.length > 0);
      } finally {
        await service?.stop();
        await kube.stop();
      }
    });
  });

  describe('vai', () => {
    const emulator = new PubSubEmulator(project);
    let vertex: FakeVertexServer;
    let gcs: FakeGcsServer;
    let admin: PubSub;

    before(async function () {
      this.timeout(120_000);
      [vertex, gcs] = await Promise.all([new FakeVertexServer().start(), new FakeGcsServer().start(), emulator.start()]);
      admin = new PubSub({ projectId: project, apiEndpoint: emulator.host, emulatorMode: true, universeDomain: 'googleapis.com' });
    });

    after(async () => {
      await admin?.close();
      await Promise.all([vertex?.stop(), gcs?.stop(), emulator.stop()]);
    });

    it('a pipeline in GCS, a run on Vertex AI, and a Cloud Logging entry from Pub/Sub delivered to the webhook, all compiled code from the cache', async () => {
      const [topic] = await admin.createTopic('payload-events');
      await topic.createSubscription('payload-events-sub');
      service = await PayloadService.start(payload, {
        ...imageEnvironment,
        // Node says, per module it loads, whether the cache held its code.
        NODE_DEBUG_NATIVE: 'COMPILE_CACHE',
        PROVIDER_TYPE: 'vai',
        PROVIDERNAME: 'ops/vai',
        PIPELINEROOTSTORAGE: 'gs://pipeline-root',
        OPERATORWEBHOOK: webhook.url,
        PARAMETERS_VAIPROJECT: project,
        PARAMETERS_VAILOCATION: location,
        PARAMETERS_PIPELINEBUCKET: 'pipelines',
        PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION: 'payload-events-sub',
        PARAMETERS_VAIENDPOINT: vertex.endpoint,
        PARAMETERS_GCSENDPOINT: gcs.url,
        PUBSUB_EMULATOR_HOST: emulator.host,
      });
      const compiledPipeline = { pipelineInfo: { name: 'penguin' }, root: {}, schemaVersion: '2.1.0', sdkVersion: 'kfp-2.0.0' };
      const pipeline = await service.post('/resource/pipeline', {
        pipelineDefinition: { name: 'team/penguin', version: 'v1' },
        compiledPipeline,
      });
      expect(pipeline.status, JSON.stringify(pipeline.body)).to.equal(201);
      const run = await service.post('/resource/run', { name: 'team/run-1', pipelineName: 'team/penguin', pipelineVersion: 'v1' });
      expect(run, service.output).to.deep.equal({ status: 201, body: { id: 'team-run-1' } });
      expect(vertex.requestsOf('CreatePipelineJob')).to.have.length(1);

      const jobName = `projects/${project}/locations/${location}/pipelineJobs/team-run-1-v1`;
      vertex.jobs.set(jobName, {
        name: jobName,
        state: 'PIPELINE_STATE_SUCCEEDED',
        labels: { 'pipeline-name': 'penguin', 'pipeline-namespace': 'team', 'run-name': 'run-1', 'run-namespace': 'team' },
        startTime: { seconds: Math.floor(Date.now() / 1000) - 60, nanos: 0 },
        endTime: { seconds: Math.floor(Date.now() / 1000), nanos: 0 },
      });
      const entry = {
        resource: { type: 'aiplatform.googleapis.com/PipelineJob', labels: { pipeline_job_id: 'team-run-1-v1', location } },
        jsonPayload: { state: 'PIPELINE_STATE_SUCCEEDED' },
      };
      await topic.publishMessage({ data: Buffer.from(JSON.stringify(entry)) });
      const [request] = await webhook.waitForRequests(1, 20_000);
      expect(request!.json).to.deep.include({
        status: 'succeeded',
        pipelineName: 'team/penguin',
        runName: 'team/run-1',
        runId: 'team-run-1-v1',
      });
      const verdicts = [...service.output.matchAll(/V8 code cache for (?:ESM|CommonJS) (\S+) was (\w+(?: \w+)?)/g)].map(
        ([, file, verdict]) => ({ file: file!.slice(file!.indexOf(payload)), verdict }),
      );
      expect(verdicts.map(({ file }) => file)).to.include.members([`${payload}/dist/main.js`]);
      expect(
        verdicts.filter(({ file }) => file.includes('/node_modules/')),
        'google-gax and the clients are bundled',
      ).to.deep.equal([]);
      expect(verdicts.filter(({ verdict }) => verdict !== 'accepted')).to.deep.equal([]);
    });
  });
});
