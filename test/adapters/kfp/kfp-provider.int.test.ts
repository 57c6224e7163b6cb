import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { FileBearerToken } from '../../../src/adapters/kfp/file-bearer-token.js';
import { KfpApiClient } from '../../../src/adapters/kfp/kfp-api-client.js';
import { KfpProvider } from '../../../src/adapters/kfp/kfp-provider.js';
import { KfpRestTransport } from '../../../src/adapters/kfp/kfp-rest-transport.js';
import { silentLogger } from '../../../src/adapters/logging/silent-logger.js';
import { parseCron } from '../../../src/domain/cron.js';
import type { PipelineResource } from '../../../src/domain/definitions.js';
import { BackendError, InvalidInputError } from '../../../src/domain/errors.js';
import { allRunLabelKeys } from '../../../src/domain/run-labels.js';
import { DefinitionBodyMother, RunDefinitionMother } from '../../support/definition-mother.js';
import { type RunningApp, startApp } from '../../support/http-app-harness.js';
import { send } from '../../support/http-client.js';
import { FakeKfpServer } from './fake-kfp-server.js';
import { rejection } from '../../support/rejection.js';

const provider = { namespace: 'ops', name: 'kfp' };

function pipelineResource(
  version = '0.0.2',
  framework = 'kfpsdk',
  compiled: unknown = { pipelineInfo: { name: 'pipe' }, root: { dag: {} } },
): PipelineResource {
  return {
    definition: {
      name: { namespace: 'team', name: 'pipe' },
      version,
      image: 'img',
      env: [],
      framework: { name: framework, parameters: {} },
    },
    compiledPipeline: compiled,
  };
}

function labelledSpec(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const parameters: Record<string, unknown> = { ...extra };
  for (const key of allRunLabelKeys) parameters[key] = { isOptional: true, parameterType: 'STRING', defaultValue: '' };
  return { root: { inputDefinitions: { parameters } } };
}

describe('KfpProvider against an in-test KFP REST server', () => {
  let kfp: FakeKfpServer;
  let dir: string | undefined;

  function providerFor(
    options: { multiUserMode?: boolean; token?: () => Promise<string>; defaultExperiment?: string; root?: string } = {},
  ): KfpProvider {
    const transport = new KfpRestTransport({ baseUrl: `${kfp.url}/`, ...(options.token ? { token: options.token } : {}), timeoutMs: 2000 });
    return new KfpProvider({
      api: new KfpApiClient(transport),
      providerName: provider,
      pipelineRootStorage: options.root ?? 'gs://pipeline-root',
      defaultExperiment: options.defaultExperiment ?? 'Default',
      multiUserMode: options.multiUserMode ?? false,
      logger: silentLogger,
    });
  }

  beforeEach(async () => {
    kfp = await new FakeKfpServer().start();
  });

  afterEach(async () => {
    await kfp.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  describe('pipelines', () => {
    it('create uploads the spec with the label parameters, then leaves exactly the definition version', async () => {
      const id = await providerFor().pipeline.create!(pipelineResource());

      expect(kfp.sequence.slice(0, 3)).to.deep.equal([
        'POST /pipelines/upload',
        `GET /pipelines/${id}/versions`,
        'POST /pipelines/upload_version',
      ]);
      expect(kfp.sequence.slice(3)).to.have.length(1);
      expect(kfp.sequence[3]).to.match(new RegExp(`^DELETE /pipelines/${id}/versions/`));
      const upload = kfp.requests[0]!;
      expect(upload.query).to.deep.equal({ name: 'team-pipe' });
      expect(upload.upload!.fileName).to.equal('resource.yaml');
      const spec = JSON.parse(upload.upload!.content);
      expect(spec.pipelineInfo).to.deep.equal({ name: 'pipe' });
      expect(Object.keys(spec.root.inputDefinitions.parameters)).to.have.members([...allRunLabelKeys]);
      expect(spec.root.inputDefinitions.parameters['run-name']).to.deep.equal({
        isOptional: true,
        parameterType: 'STRING',
        defaultValue: '',
      });
      expect(kfp.requests[1]!.query).to.deep.equal({ page_size: '200' });
      expect(kfp.requests[2]!.query).to.deep.equal({ name: '0.0.2', pipelineid: id });
      expect(kfp.versionsOf(id).map((version) => version.displayName)).to.deep.equal(['0.0.2']);
    });

    it('create unwraps a TFX pipeline before uploading it', async () => {
      await providerFor().pipeline.create!(
        pipelineResource('1', 'TFX', { displayName: 'x', pipelineSpec: { pipelineInfo: { name: 'tfx-pipe' } } }),
      );
      const spec = JSON.parse(kfp.requests[0]!.upload!.content);
      expect(spec.pipelineInfo).to.deep.equal({ name: 'tfx-pipe' });
      expect(spec).to.not.have.property('pipelineSpec');
    });

    it('create adopts a pipeline a previous attempt uploaded (409) instead of failing', async () => {
      const existing = kfp.seedPipeline('team-pipe', [{ displayName: 'team-pipe' }]);
      const id = await providerFor().pipeline.create!(pipelineResource());
      expect(id).to.equal(existing);
      expect(kfp.sequence.slice(0, 2)).to.deep.equal(['POST /pipelines/upload', 'GET /pipelines']);
      expect(JSON.parse(kfp.requests[1]!.query['filter']!)).to.deep.equal({
        predicates: [{ operation: 'EQUALS', key: 'display_name', string_value: 'team-pipe' }],
      });
      expect(kfp.versionsOf(id).map((version) => version.displayName)).to.deep.equal(['0.0.2']);
    });

    it('update replaces every version (following pages), uploading before deleting the old ones', async () => {
      const id = kfp.seedPipeline(
        'team-pipe',
        Array.from({ length: 203 }, (_, index) => ({ displayName: `v${index}` })),
      );
      kfp.seedPipeline('other', [{ displayName: 'v0' }]);
      const returned = await providerFor().pipeline.update!(id, pipelineResource('v7'));
      expect(returned).to.equal(id);
      expect(kfp.sequence.slice(0, 4)).to.deep.equal([
        `GET /pipelines/${id}/versions`,
        `GET /pipelines/${id}/versions`,
        `DELETE /pipelines/${id}/versions/${kfp.requests[2]!.path.split('/').pop()}`,
        'POST /pipelines/upload_version',
      ]);
      expect(kfp.requests[1]!.query).to.deep.equal({ page_size: '200', page_token: '200' });
      expect(kfp.sequence.filter((line) => line.startsWith('DELETE'))).to.have.length(203);
      expect(kfp.versionsOf(id).map((version) => version.displayName)).to.deep.equal(['v7']);
      expect(kfp.versions.size).to.equal(2);
    });

    it('update of a pipeline that is gone fails naming it', async () => {
      const error = await rejection(providerFor().pipeline.update!('missing-id', pipelineResource()));
      expect(error).to.be.instanceOf(BackendError);
      expect(error.message).to.contain('missing-id');
    });

    it('delete removes the versions, then the pipeline; deleting again succeeds without further calls', async () => {
      const id = kfp.seedPipeline('team-pipe', [{ displayName: 'a' }, { displayName: 'b' }]);
      await providerFor().pipeline.delete!(id);
      expect(kfp.sequence.map((line) => line.replace(/versions\/[0-9a-f-]{36}$/, 'versions/<v>'))).to.deep.equal([
        `GET /pipelines/${id}/versions`,
        `DELETE /pipelines/${id}/versions/<v>`,
        `DELETE /pipelines/${id}/versions/<v>`,
        `DELETE /pipelines/${id}`,
      ]);
      expect(kfp.pipelines.size).to.equal(0);
      kfp.requests.length = 0;
      await providerFor().pipeline.delete!(id);
      expect(kfp.sequence).to.deep.equal([`GET /pipelines/${id}/versions`]);
    });

    it('delete tolerates versions and pipelines vanishing concurrently (404)', async () => {
      const id = kfp.seedPipeline('team-pipe', [{ displayName: 'a' }]);
      kfp.failNext('DELETE', /versions/, 404, { code: 5, message: 'gone' });
      kfp.failNext('DELETE', /^\/pipelines\/[^/]+$/, 404, { code: 5, message: 'gone' });
      await providerFor().pipeline.delete!(id);
      expect(kfp.sequence.map((line) => line.replace(/versions\/[0-9a-f-]{36}$/, 'versions/<v>'))).to.deep.equal([
        `GET /pipelines/${id}/versions`,
        `DELETE /pipelines/${id}/versions/<v>`,
        `DELETE /pipelines/${id}`,
      ]);
    });

    it('surfaces each KFP error body shape as a readable providerError', async () => {
      kfp.failNext('POST', /upload/, 400, { error_message: 'Failed to create a pipeline', error_details: 'invalid spec' });
      const upload = await rejection(providerFor().pipeline.create!(pipelineResource()));
      expect(upload.message).to.equal(
        'KFP POST /apis/v2beta1/pipelines/upload failed with HTTP 400: Failed to create a pipeline: invalid spec',
      );

      kfp.failNext('GET', /^\/pipelines$/, 400, 'name too long');
      const text = await rejection(providerFor().run.create!(RunDefinitionMother.valid()));
      expect(text.message).to.contain('HTTP 400: name too long');

      kfp.failNext('GET', /^\/pipelines$/, 503, { code: 14, message: 'upstream connect error', error: 'upstream connect error' });
      const status = await rejection(providerFor().run.create!(RunDefinitionMother.valid()));
      expect(status).to.be.instanceOf(BackendError);
      expect(status.message).to.contain('HTTP 503: upstream connect error');
    });

    it('rejects a compiled pipeline that is not a JSON object before calling KFP', async () => {
      const error = await rejection(providerFor().pipeline.create!(pipelineResource('1', 'kfpsdk', [1, 2])));
      expect(error).to.be.instanceOf(InvalidInputError);
      expect(kfp.requests).to.have.length(0);
    });
  });

  describe('runs', () => {
    let pipelineId: string;
    let versionId: string;
    let experimentId: string;

    beforeEach(() => {
      pipelineId = kfp.seedPipeline('team-pipe', [
        { displayName: 'other' },
        {
          displayName: '0.0.1',
          spec: labelledSpec({
            learningRate: { parameterType: 'NUMBER_DOUBLE' },
            epochs: { parameterType: 'NUMBER_INTEGER' },
            tag: { parameterType: 'STRING' },
          }),
        },
      ]);
      versionId = kfp.versionsOf(pipelineId)[1]!.id;
      experimentId = kfp.seedExperiment('team-exp');
      kfp.seedExperiment('Default');
    });

    it('create looks up pipeline, version and experiment by display name and sends typed parameters and labels', async () => {
      const definition = RunDefinitionMother.valid({
        experimentName: { namespace: 'team', name: 'exp' },
        runConfigurationName: { namespace: 'team', name: 'rc' },
        parameters: { learningRate: '0.5', epochs: '3', tag: '7', 'pipeline-name': 'spoofed' },
        triggerIndicator: { type: 'manual', source: 'me', sourceNamespace: 'team' },
      });
      const runId = await providerFor().run.create!(definition);

      expect(kfp.sequence).to.deep.equal(['GET /pipelines', `GET /pipelines/${pipelineId}/versions`, 'GET /experiments', 'POST /runs']);
      const filters = kfp.requests.slice(0, 3).map((request) => JSON.parse(request.query['filter']!).predicates[0].string_value);
      expect(filters).to.deep.equal(['team-pipe', '0.0.1', 'team-exp']);
      expect(kfp.requests[2]!.query).to.not.have.property('namespace');
      expect(kfp.requests[3]!.json).to.deep.equal({
        display_name: 'team-train',
        experiment_id: experimentId,
        pipeline_version_reference: { pipeline_id: pipelineId, pipeline_version_id: versionId },
        runtime_config: {
          parameters: {
            learningRate: 0.5,
            epochs: 3,
            tag: '7',
            'pipeline-name': 'pipe',
            'pipeline-namespace': 'team',
            'pipeline-version': '0.0.1',
            'runconfiguration-name': 'rc',
            'runconfiguration-namespace': 'team',
            'run-name': 'train',
            'run-namespace': 'team',
            'trigger-type': 'manual',
            'trigger-source': 'me',
            'trigger-source-namespace': 'team',
            'provider-name': 'kfp',
            'provider-namespace': 'ops',
          },
          pipeline_root: 'gs://pipeline-root/team/pipe',
        },
      });
      expect(kfp.runs.has(runId)).to.equal(true);
    });

    it('uses the default experiment when the run names none, and omits an empty pipeline root', async () => {
      await providerFor({ root: '' }).run.create!(RunDefinitionMother.valid());
      expect(JSON.parse(kfp.requests[2]!.query['filter']!).predicates[0].string_value).to.equal('Default');
      expect((kfp.requests[3]!.json as { runtime_config: object }).runtime_config).to.not.have.property('pipeline_root');
    });

    it('fails naming the lookup and the count when not exactly one pipeline matches', async () => {
      const missing = await rejection(
        providerFor().run.create!(RunDefinitionMother.valid({ pipelineName: { namespace: 'team', name: 'nope' } })),
      );
      expect(missing).to.be.instanceOf(BackendError);
      expect(missing.message).to.contain('found 0 pipelines named team-nope');
      kfp.seedPipeline('team-pipe', []);
      const twice = await rejection(providerFor().run.create!(RunDefinitionMother.valid()));
      expect(twice.message).to.contain('found 2 pipelines named team-pipe');
      const version = await rejection(providerFor().run.create!(RunDefinitionMother.valid({ pipelineName: { namespace: '', name: 'x' } })));
      expect(version.message).to.contain('found 0 pipelines named x');
    });

    it('fails naming the version and the experiment lookups', async () => {
      const version = await rejection(providerFor().run.create!(RunDefinitionMother.valid({ pipelineVersion: '9.9' })));
      expect(version.message).to.contain('found 0 versions named 9.9 of pipeline team-pipe');
      const experiment = await rejection(
        providerFor().run.create!(RunDefinitionMother.valid({ experimentName: { namespace: '', name: 'nope' } })),
      );
      expect(experiment.message).to.contain('found 0 experiments named nope');
    });

    it('rejects a parameter that does not fit its declared type before creating the run', async () => {
      const error = await rejection(providerFor().run.create!(RunDefinitionMother.valid({ parameters: { epochs: 'many' } })));
      expect(error).to.be.instanceOf(InvalidInputError);
      expect(error.message).to.contain('"epochs"');
      expect(kfp.sequence).to.not.include('POST /runs');
    });

    it('run delete calls nothing', async () => {
      await providerFor().run.delete!('any');
      expect(kfp.requests).to.have.length(0);
    });
  });

  describe('recurring runs', () => {
    let pipelineId: string;

    beforeEach(() => {
      pipelineId = kfp.seedPipeline('team-pipe', [{ displayName: '0.0.1', spec: labelledSpec() }]);
      kfp.seedExperiment('Default');
    });

    it('create sends a 6-field cron, start and end, one run at a time, no catch-up, enabled', async () => {
      const definition = RunDefinitionMother.schedule({
        schedule: { cron: parseCron('0 3 * * *'), startTime: new Date('2024-01-01T00:00:00Z'), endTime: new Date('2030-01-01T00:00:00Z') },
      });
      const id = await providerFor().runschedule.create!(definition);
      expect(kfp.sequence).to.deep.equal([
        'GET /pipelines',
        `GET /pipelines/${pipelineId}/versions`,
        'GET /experiments',
        'POST /recurringruns',
      ]);
      const body = kfp.requests[3]!.json as Record<string, any>;
      expect(body['display_name']).to.equal('team-nightly');
      expect(body['max_concurrency']).to.equal('1');
      expect(body['mode']).to.equal('ENABLE');
      expect(body['no_catchup']).to.equal(true);
      expect(body['trigger']).to.deep.equal({
        cron_schedule: { cron: '0 0 3 * * *', start_time: '2024-01-01T00:00:00.000Z', end_time: '2030-01-01T00:00:00.000Z' },
      });
      expect(body['runtime_config'].parameters).to.not.have.property('run-name');
      expect(body['runtime_config'].parameters['trigger-type']).to.equal('schedule');
      expect(kfp.recurringRuns.has(id)).to.equal(true);
    });

    it('update deletes the old recurring run and creates a new one, returning the new id', async () => {
      const old = await providerFor().runschedule.create!(RunDefinitionMother.schedule());
      kfp.requests.length = 0;
      const renewed = await providerFor().runschedule.update!(old, RunDefinitionMother.schedule());
      expect(renewed).to.not.equal(old);
      expect(kfp.sequence[0]).to.equal(`DELETE /recurringruns/${old}`);
      expect(kfp.sequence.at(-1)).to.equal('POST /recurringruns');
      expect([...kfp.recurringRuns.keys()]).to.deep.equal([renewed]);
    });

    it('delete of a recurring run that is already gone succeeds', async () => {
      await providerFor().runschedule.delete!('gone');
      expect(kfp.sequence).to.deep.equal(['DELETE /recurringruns/gone']);
    });
  });

  describe('experiments', () => {
    it('create, update (delete + create) and delete, tolerating one already gone', async () => {
      const experiment = { name: { namespace: 'team', name: 'exp' }, version: 'v1', description: 'about' };
      const id = await providerFor().experiment.create!(experiment);
      expect(kfp.requests[0]!.json).to.deep.equal({ display_name: 'team-exp', description: 'about' });
      const renewed = await providerFor().experiment.update!(id, experiment);
      expect(kfp.sequence).to.deep.equal(['POST /experiments', `DELETE /experiments/${id}`, 'POST /experiments']);
      expect(renewed).to.not.equal(id);
      await providerFor().experiment.delete!(renewed);
      await providerFor().experiment.delete!(renewed);
      expect(kfp.experiments.size).to.equal(0);
    });

    it('create of an experiment that exists already (a retried create) returns its id', async () => {
      const existing = kfp.seedExperiment('team-exp');
      const id = await providerFor().experiment.create!({ name: { namespace: 'team', name: 'exp' }, version: '', description: '' });
      expect(id).to.equal(existing);
    });
  });

  describe('multi-user mode', () => {
    it('scopes experiments to the provider namespace and sends the bearer token, re-read when it rotates', async () => {
      dir = await mkdtemp(join(tmpdir(), 'kfp-token-'));
      const tokenFile = join(dir, 'token');
      await writeFile(tokenFile, ' first-token\n');
      let now = 0;
      const token = await FileBearerToken.load({
        path: tokenFile,
        refreshMs: 60_000,
        clock: { now: () => new Date(now) },
        logger: silentLogger,
      });
      const multiUser = providerFor({ multiUserMode: true, token: () => token.value() });
      kfp.requiredToken = 'first-token';
      kfp.seedPipeline('team-pipe', [{ displayName: '0.0.1', spec: labelledSpec() }]);
      kfp.seedExperiment('ops-exp', 'ops');
      kfp.seedExperiment('ops-Default', 'ops');

      await multiUser.run.create!(RunDefinitionMother.valid({ experimentName: { namespace: 'team', name: 'exp' } }));
      expect(kfp.requests[2]!.query['namespace']).to.equal('ops');
      expect(JSON.parse(kfp.requests[2]!.query['filter']!).predicates[0].string_value).to.equal('ops-exp');
      expect(kfp.requests.every((request) => request.headers['authorization'] === 'Bearer first-token')).to.equal(true);

      const experimentId = await multiUser.experiment.create!({ name: { namespace: 'team', name: 'mine' }, version: '', description: '' });
      expect(kfp.requests.at(-1)!.json).to.deep.equal({ display_name: 'team-mine', namespace: 'ops' });
      expect(kfp.experiments.get(experimentId)!.namespace).to.equal('ops');

      await writeFile(tokenFile, 'second-token');
      kfp.requiredToken = 'second-token';
      now = 59_000;
      const stale = await rejection(multiUser.pipeline.create!(pipelineResource()));
      expect(stale.message).to.contain('HTTP 401');
      now = 61_000;
      await multiUser.pipeline.delete!(kfp.seedPipeline('x', []));
      expect(kfp.requests.at(-1)!.headers['authorization']).to.equal('Bearer second-token');
    });

    it('refuses to start without a readable, non-empty token file', async () => {
      dir = await mkdtemp(join(tmpdir(), 'kfp-token-'));
      const options = { clock: { now: () => new Date() }, logger: silentLogger };
      const missing = await rejection(FileBearerToken.load({ ...options, path: join(dir, 'absent') }));
      expect(missing.message).to.match(/KFP multi-user mode needs a bearer token, but the token file .*absent could not be used/);
      await writeFile(join(dir, 'empty'), '  \n');
      const empty = await rejection(FileBearerToken.load({ ...options, path: join(dir, 'empty') }));
      expect(empty.message).to.contain('empty');
    });
  });

  describe('through the HTTP API: error answers to PUT and DELETE carry the id of the path', () => {
    let app: RunningApp | undefined;
    const itemPath = (type: string, id: string): string => `/resource/${type}/${encodeURIComponent(id)}`;

    beforeEach(async () => {
      app = await startApp(providerFor());
    });

    afterEach(async () => {
      await app?.close();
    });

    it('400: PUT of an invalid pipeline body, before any KFP call', async () => {
      const id = kfp.seedPipeline('team-pipe', [{ displayName: '0.0.1' }]);
      kfp.requests.length = 0;
      const answer = await send(app!.baseUrl, 'PUT', itemPath('pipeline', id), {
        json: DefinitionBodyMother.pipeline({ pipelineDefinition: { name: '' } }),
      });
      expect([answer.status, answer.json!['id']]).to.deep.equal([400, id]);
      expect(kfp.requests).to.have.length(0);
    });

    it('500: KFP fails the update of a pipeline or the delete of a recurring run', async () => {
      const id = kfp.seedPipeline('team-pipe', [{ displayName: '0.0.1' }]);
      kfp.failNext('GET', /versions/, 503, { code: 14, message: 'versions unavailable' });
      const put = await send(app!.baseUrl, 'PUT', itemPath('pipeline', id), { json: DefinitionBodyMother.pipeline() });
      expect(put.status).to.equal(500);
      expect(put.json).to.include({ id }).and.have.property('providerError').that.contains('versions unavailable');
      kfp.failNext('DELETE', /recurringruns/, 503, { code: 14, message: 'recurring runs unavailable' });
      const remove = await send(app!.baseUrl, 'DELETE', itemPath('runschedule', 'recurring-1'));
      expect(remove.status).to.equal(500);
      expect(remove.json).to.include({ id: 'recurring-1' }).and.have.property('providerError').that.contains('recurring runs unavailable');
      expect(kfp.sequence).to.include('DELETE /recurringruns/recurring-1');
    });

    it('501: a run cannot be updated', async () => {
      const answer = await send(app!.baseUrl, 'PUT', itemPath('run', 'run-1'), { json: DefinitionBodyMother.run() });
      expect(answer.status).to.equal(501);
      expect(answer.json).to.include({ id: 'run-1' }).and.have.property('providerError').that.contains('update of run');
      expect(kfp.requests).to.have.length(0);
    });
  });

  it('times out a request KFP does not answer', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const api = new KfpApiClient(new KfpRestTransport({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 200 }));
      const error = await rejection(api.findPipelineId('x'));
      expect(error.message).to.equal('KFP GET /apis/v2beta1/pipelines failed: no answer within 200 ms');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
