import { expect } from 'chai';
import type { Container } from 'inversify';
import { parseCron } from '../../../src/domain/cron.js';
import { protobufStructToJson } from '../../../src/domain/protobuf-json.js';
import { BackendError, InvalidInputError } from '../../../src/domain/errors.js';
import { Provider } from '../../../src/ports/provider.js';
import { aKfpSpec, aRun, aRunSchedule } from '../../domain/vertex/vertex-definitions-mother.js';
import { DefinitionBodyMother } from '../../support/definition-mother.js';
import { FakeGcsServer } from '../../support/fake-gcs-server.js';
import { type RunningApp, startApp } from '../../support/http-app-harness.js';
import { send } from '../../support/http-client.js';
import { FakeVertexServer } from '../../support/fake-vertex-server.js';
import { testNow, vertexTestContainer } from './vertex-test-container.js';
import { rejection } from '../../support/rejection.js';

const parent = 'projects/test-project/locations/europe-west2';

describe('Vertex provider (real clients against in-test gRPC and GCS servers)', () => {
  let vertex: FakeVertexServer;
  let gcs: FakeGcsServer;
  let container: Container;
  let provider: Provider;

  before(async () => {
    vertex = await new FakeVertexServer().start();
    gcs = await new FakeGcsServer().start();
    container = vertexTestContainer({ vaiEndpoint: vertex.endpoint, gcsEndpoint: `${gcs.url}/storage/v1/` });
    provider = await container.getAsync<Provider>(Provider);
  });

  after(async () => {
    await container?.unbindAllAsync();
    await vertex?.stop();
    await gcs?.stop();
  });

  beforeEach(() => {
    vertex.calls.length = 0;
    vertex.failures.clear();
    vertex.pendingDeletes = false;
    vertex.deleteOperationError = undefined;
    gcs.requests.length = 0;
    gcs.objects.clear();
    gcs.failWith = undefined;
  });

  function storePipeline(version: string, compiled: unknown, name = 'team/pipe'): void {
    gcs.objects.set(`pipelines/${name}/${version}`, Buffer.from(JSON.stringify(compiled)));
  }

  describe('pipeline', () => {
    const resource = (version: string, compiledPipeline: unknown) => ({
      definition: { name: { namespace: 'team', name: 'pipe' }, version, image: 'img', env: [], framework: { name: 'tfx', parameters: {} } },
      compiledPipeline,
    });

    it('create stores the compiled pipeline at {ns}/{name}/{version} without credentials and answers ns/name', async () => {
      const id = await provider.pipeline.create!(resource('v1', aKfpSpec()));
      expect(id).to.equal('team/pipe');
      expect(JSON.parse(gcs.text('pipelines', 'team/pipe/v1') ?? 'null')).to.deep.equal(aKfpSpec());
      expect(gcs.requests.map((request) => request.authorization)).to.deep.equal([undefined]);
    });

    it('update overwrites the version and answers the definition id', async () => {
      storePipeline('v1', { old: true });
      const id = await provider.pipeline.update!('team/pipe', resource('v1', aKfpSpec('2.0.0')));
      expect(id).to.equal('team/pipe');
      expect(JSON.parse(gcs.text('pipelines', 'team/pipe/v1') ?? 'null')).to.deep.equal(aKfpSpec('2.0.0'));
    });

    it('delete removes every version of the pipeline and nothing else', async () => {
      storePipeline('v1', {});
      storePipeline('v2', {});
      storePipeline('v1', {}, 'team/pipeline');
      await provider.pipeline.delete!('team/pipe');
      expect([...gcs.objects.keys()]).to.deep.equal(['pipelines/team/pipeline/v1']);
    });

    it('delete of a pipeline with nothing stored lists its prefix and succeeds', async () => {
      await provider.pipeline.delete!('team/gone');
      const listed = gcs.requests.map((request) => [request.method, new URL(request.url, gcs.url).searchParams.get('prefix')]);
      expect(listed).to.deep.equal([['GET', 'team/gone/']]);
    });

    it('delete rejects an id that is not a namespaced name', async () => {
      expect(await rejection(provider.pipeline.delete!('a/b/c'))).to.be.instanceOf(InvalidInputError);
      expect(gcs.requests).to.have.length(0);
    });

    it('a storage failure is a backend error saying what failed', async () => {
      gcs.failWith = 403;
      const error = await rejection(provider.pipeline.create!(resource('v1', aKfpSpec())));
      expect(error).to.be.instanceOf(BackendError);
      expect(error.message).to.contain('gs://pipelines/team/pipe/v1');
    });
  });

  describe('run', () => {
    const run = aRun({
      name: { namespace: 'team', name: 'train' },
      version: 'abc123',
      runConfigurationName: { namespace: 'team', name: 'rc' },
      parameters: { learningRate: '0.1', epochs: '3' },
    });

    it('creates a schema 2.1.0 job with parameter values, the full spec and sanitised labels', async () => {
      storePipeline('0.0.1', aKfpSpec('2.1.0'));
      const id = await provider.run.create!(run);
      expect(id).to.equal('team-train');
      const [request] = vertex.requestsOf('CreatePipelineJob');
      expect(request).to.include({ parent, pipelineJobId: 'team-train-abc123' });
      const job = request!['pipelineJob'] as Record<string, any>;
      expect(protobufStructToJson(job['pipelineSpec'])).to.deep.equal(aKfpSpec('2.1.0'));
      expect(job).to.include({
        name: 'my-pipeline',
        displayName: 'my-pipeline',
        templateUri: 'gs://pipelines/team/pipe/0.0.1',
        serviceAccount: 'runner@test-project.iam.gserviceaccount.com',
      });
      expect(job['labels']).to.deep.equal({
        'pipeline-name': 'pipe',
        'pipeline-namespace': 'team',
        'pipeline-version': '0_0_1',
        'runconfiguration-name': 'rc',
        'runconfiguration-namespace': 'team',
        'run-name': 'train',
        'run-namespace': 'team',
        'provider-name': 'vertex-provider',
        'provider-namespace': 'ops',
        schema_version: '2_1_0',
        sdk_version: 'kfp-2_12_2',
      });
      expect(job['runtimeConfig']['gcsOutputDirectory']).to.equal('gs://pipeline-root/team/pipe');
      expect(job['runtimeConfig']['parameters']).to.deep.equal({});
      expect(job['runtimeConfig']['parameterValues']).to.deep.equal({
        learningRate: { stringValue: '0.1', kind: 'stringValue' },
        epochs: { stringValue: '3', kind: 'stringValue' },
      });
      expect(job['pscInterfaceConfig']).to.equal(null);
    });

    it('labels a run with its trigger when the operator names one', async () => {
      storePipeline('0.0.1', aKfpSpec('2.1.0'));
      await provider.run.create!({ ...run, triggerIndicator: { type: 'RunConfiguration', source: 'rc', sourceNamespace: 'team' } });
      const job = vertex.requestsOf('CreatePipelineJob')[0]!['pipelineJob'] as Record<string, any>;
      expect(job['labels']).to.include({ 'trigger-type': 'runconfiguration', 'trigger-source': 'rc', 'trigger-source-namespace': 'team' });
    });

    it('lets Vertex AI choose the job id of a run without a name, answers it, and labels the run configuration only', async () => {
      storePipeline('0.0.1', aKfpSpec('2.1.0'));
      const id = await provider.run.create!({ ...run, name: { namespace: '', name: '' } });
      const [request] = vertex.requestsOf('CreatePipelineJob');
      expect(request!['pipelineJobId']).to.equal('');
      expect(id).to.match(/^generated-\d+$/);
      const labels = (request!['pipelineJob'] as Record<string, any>)['labels'] as Record<string, string>;
      expect(labels).to.include({ 'runconfiguration-name': 'rc', 'runconfiguration-namespace': 'team' });
      expect(labels).not.to.have.property('run-name');
      expect(labels).not.to.have.property('run-namespace');
    });

    it('creates a schema 2.0.0 job with legacy string parameters', async () => {
      storePipeline('0.0.1', aKfpSpec('2.0.0'));
      await provider.run.create!(run);
      const job = vertex.requestsOf('CreatePipelineJob')[0]!['pipelineJob'] as Record<string, any>;
      expect(job['runtimeConfig']['parameterValues']).to.deep.equal({});
      expect(job['runtimeConfig']['parameters']).to.deep.equal({
        learningRate: { stringValue: '0.1', value: 'stringValue' },
        epochs: { stringValue: '3', value: 'stringValue' },
      });
    });

    it('sends the inner spec of a TFX wrapper and its display name and labels', async () => {
      storePipeline('0.0.1', { displayName: 'Wrapped', labels: { Team: 'ML.Ops' }, pipelineSpec: aKfpSpec('2.0.0') });
      await provider.run.create!(run);
      const job = vertex.requestsOf('CreatePipelineJob')[0]!['pipelineJob'] as Record<string, any>;
      expect(protobufStructToJson(job['pipelineSpec'])).to.deep.equal(aKfpSpec('2.0.0'));
      expect(job['displayName']).to.equal('Wrapped');
      expect(job['labels']).to.include({ team: 'mlops' });
    });

    it('a missing stored pipeline is a backend error naming the pipeline and version', async () => {
      const error = await rejection(provider.run.create!(run));
      expect(error).to.be.instanceOf(BackendError);
      expect(error.message).to.contain('pipeline team/pipe version 0.0.1');
      expect(vertex.calls).to.have.length(0);
    });

    it('a job id Vertex AI would refuse is invalid input before any call', async () => {
      storePipeline('0.0.1', aKfpSpec());
      const error = await rejection(provider.run.create!({ ...run, version: 'V1.0' }));
      expect(error).to.be.instanceOf(InvalidInputError);
      expect(vertex.calls).to.have.length(0);
      expect(gcs.requests).to.have.length(0);
    });

    it('a Vertex AI failure is a backend error carrying its message', async () => {
      storePipeline('0.0.1', aKfpSpec());
      vertex.failures.set('CreatePipelineJob', { code: 7, details: 'caller lacks aiplatform.pipelineJobs.create' });
      const error = await rejection(provider.run.create!(run));
      expect(error).to.be.instanceOf(BackendError);
      expect(error.message).to.match(/CreatePipelineJob team-train-abc123 failed: 7 PERMISSION_DENIED: caller lacks/);
    });

    it('a job that already exists counts as created (the operator repeats unanswered creates)', async () => {
      storePipeline('0.0.1', aKfpSpec());
      vertex.failures.set('CreatePipelineJob', { code: 6, details: 'exists' });
      expect(await provider.run.create!(run)).to.equal('team-train');
    });

    it('delete succeeds without calling Vertex AI', async () => {
      await provider.run.delete!('team-train');
      expect(vertex.calls).to.have.length(0);
    });
  });

  describe('runschedule', () => {
    const future = new Date(testNow.getTime() + 86_400_000 + 250);
    const end = new Date(testNow.getTime() + 2 * 86_400_000);
    const definition = aRunSchedule({ schedule: { cron: parseCron('0 0 3 * * 1'), startTime: future, endTime: end } });
    const scheduleName = `${parent}/schedules/1`;

    it('create sends a schedule wrapping the job request and answers its full name', async () => {
      storePipeline('0.0.1', aKfpSpec('2.1.0'));
      const id = await provider.runschedule.create!(definition);
      expect(id).to.match(new RegExp(`^${parent}/schedules/\\d+$`));
      const [request] = vertex.requestsOf('CreateSchedule');
      expect(request!['parent']).to.equal(parent);
      const schedule = request!['schedule'] as Record<string, any>;
      expect(schedule).to.include({ cron: '0 3 * * 1', displayName: 'rc-team-nightly', maxConcurrentRunCount: '3', allowQueueing: true });
      expect(schedule['startTime']).to.deep.equal({ seconds: String(Math.floor(future.getTime() / 1000)), nanos: 250_000_000 });
      expect(schedule['endTime']).to.deep.equal({ seconds: String(end.getTime() / 1000), nanos: 0 });
      const jobRequest = schedule['createPipelineJobRequest'];
      expect(jobRequest['parent']).to.equal(parent);
      expect(jobRequest['pipelineJobId']).to.equal('');
      expect(protobufStructToJson(jobRequest['pipelineJob']['pipelineSpec'])).to.deep.equal(aKfpSpec('2.1.0'));
      expect(jobRequest['pipelineJob']['labels']).to.include({
        'runconfiguration-name': 'rc',
        'trigger-type': 'schedule',
        'trigger-source': 'nightly',
      });
      expect(jobRequest['pipelineJob']['labels']).not.to.have.property('run-name');
    });

    it('create leaves out a start time that has passed', async () => {
      storePipeline('0.0.1', aKfpSpec());
      await provider.runschedule.create!(aRunSchedule({ schedule: { cron: parseCron('0 3 * * *'), startTime: new Date(0) } }));
      expect(vertex.requestsOf('CreateSchedule')[0]!['schedule']).to.have.property('startTime', null);
    });

    it('update names the schedule by the id and masks exactly the fields it sets', async () => {
      storePipeline('0.0.1', aKfpSpec());
      const id = await provider.runschedule.update!(scheduleName, definition);
      expect(id).to.equal(scheduleName);
      const [call] = vertex.calls.filter((received) => received.method === 'UpdateSchedule');
      expect(call!.request['schedule']).to.include({ name: scheduleName, cron: '0 3 * * 1' });
      expect(call!.request['updateMask']).to.deep.equal({
        paths: [
          'display_name',
          'cron',
          'max_concurrent_run_count',
          'allow_queueing',
          'create_pipeline_job_request',
          'start_time',
          'end_time',
        ],
      });
      expect(String(call!.metadata['x-goog-request-params'])).to.contain(`schedule.name=${encodeURIComponent(scheduleName)}`);
    });

    it('update rejects an id that is not a schedule name', async () => {
      expect(await rejection(provider.runschedule.update!('nightly', definition))).to.be.instanceOf(InvalidInputError);
      expect(vertex.calls).to.have.length(0);
    });

    it('delete deletes the named schedule', async () => {
      await provider.runschedule.delete!(scheduleName);
      expect(vertex.requestsOf('DeleteSchedule')).to.deep.equal([{ name: scheduleName }]);
    });

    it('every call carries a 30 s deadline', async () => {
      const before = Date.now();
      await provider.runschedule.delete!(scheduleName);
      const [call] = vertex.calls.filter((received) => received.method === 'DeleteSchedule');
      expect(call!.deadline - before).to.be.within(25_000, 31_000);
    });

    it('delete waits for an unfinished deletion operation', async () => {
      vertex.pendingDeletes = true;
      await provider.runschedule.delete!(scheduleName);
      expect(vertex.requestsOf('GetOperation')).to.have.length.greaterThan(0);
    });

    it('delete of a schedule already gone succeeds, having asked Vertex AI to delete it', async () => {
      vertex.failures.set('DeleteSchedule', { code: 5, details: 'no such schedule' });
      await provider.runschedule.delete!(scheduleName);
      expect(vertex.requestsOf('DeleteSchedule')).to.deep.equal([{ name: scheduleName }]);
    });

    it('other delete failures are backend errors', async () => {
      vertex.failures.set('DeleteSchedule', { code: 14, details: 'unavailable' });
      expect(await rejection(provider.runschedule.delete!(scheduleName))).to.be.instanceOf(BackendError);
    });

    it('a deletion operation that finishes NOT_FOUND counts as deleted', async () => {
      vertex.deleteOperationError = { code: 5, details: 'schedule already deleted' };
      await provider.runschedule.delete!(scheduleName);
      vertex.pendingDeletes = true;
      await provider.runschedule.delete!(scheduleName);
      expect(vertex.requestsOf('GetOperation')).to.have.length.greaterThan(0);
    });

    it('a deletion operation that finishes with another error is a backend error (500)', async () => {
      vertex.deleteOperationError = { code: 14, details: 'backend unavailable' };
      const error = await rejection(provider.runschedule.delete!(scheduleName));
      expect(error).to.be.instanceOf(BackendError);
      expect(error.message).to.contain(`DeleteSchedule ${scheduleName}`).and.contain('backend unavailable');
    });
  });

  describe('through the HTTP API: error answers to PUT and DELETE carry the id of the path', () => {
    let app: RunningApp | undefined;
    const scheduleName = `${parent}/schedules/7`;
    // The operator's curl steps percent-encode the schedule name into one path segment.
    const schedulePath = `/resource/runschedule/${encodeURIComponent(scheduleName)}`;

    beforeEach(async () => {
      app = await startApp(provider);
    });

    afterEach(async () => {
      await app?.close();
    });

    it('400: PUT of an invalid body, PUT and DELETE of ids Vertex AI cannot have', async () => {
      const badCron = await send(app!.baseUrl, 'PUT', schedulePath, {
        json: DefinitionBodyMother.runSchedule({ schedule: { cronExpression: '0 3 * *' } }),
      });
      expect([badCron.status, badCron.json!['id']]).to.deep.equal([400, scheduleName]);
      storePipeline('0.0.1', aKfpSpec());
      const notASchedule = await send(app!.baseUrl, 'PUT', '/resource/runschedule/team%2Fnightly', {
        json: DefinitionBodyMother.runSchedule(),
      });
      expect([notASchedule.status, notASchedule.json!['id']]).to.deep.equal([400, 'team/nightly']);
      const badPipelineId = await send(app!.baseUrl, 'DELETE', '/resource/pipeline/a%2Fb%2Fc');
      expect([badPipelineId.status, badPipelineId.json!['id']]).to.deep.equal([400, 'a/b/c']);
      expect(vertex.calls).to.have.length(0);
    });

    it('500: Vertex AI fails the update or the delete of a schedule', async () => {
      storePipeline('0.0.1', aKfpSpec());
      vertex.failures.set('UpdateSchedule', { code: 14, details: 'update unavailable' });
      vertex.failures.set('DeleteSchedule', { code: 14, details: 'delete unavailable' });
      const put = await send(app!.baseUrl, 'PUT', schedulePath, { json: DefinitionBodyMother.runSchedule() });
      expect(put.status).to.equal(500);
      expect(put.json).to.include({ id: scheduleName }).and.have.property('providerError').that.contains('update unavailable');
      const remove = await send(app!.baseUrl, 'DELETE', schedulePath);
      expect(remove.status).to.equal(500);
      expect(remove.json).to.include({ id: scheduleName }).and.have.property('providerError').that.contains('delete unavailable');
      expect(vertex.requestsOf('DeleteSchedule')).to.deep.equal([{ name: scheduleName }]);
    });

    it('501: runs cannot be updated, experiments are not kept', async () => {
      const answers = [
        await send(app!.baseUrl, 'PUT', '/resource/run/team-train', { json: DefinitionBodyMother.run() }),
        await send(app!.baseUrl, 'PUT', '/resource/experiment/team%2Fexp', { json: DefinitionBodyMother.experiment() }),
        await send(app!.baseUrl, 'DELETE', '/resource/experiment/team%2Fexp'),
      ];
      expect(answers.map((answer) => [answer.status, answer.json!['id']])).to.deep.equal([
        [501, 'team-train'],
        [501, 'team/exp'],
        [501, 'team/exp'],
      ]);
      const create = await send(app!.baseUrl, 'POST', '/resource/experiment', { json: DefinitionBodyMother.experiment() });
      expect(create.status).to.equal(501);
      expect(create.json).not.to.have.property('id');
      expect(vertex.calls).to.have.length(0);
    });
  });
});
