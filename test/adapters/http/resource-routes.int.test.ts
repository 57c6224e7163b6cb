import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { expect } from 'chai';
import { realisticCompiledPipeline } from '../../../bench/fixtures/compiled-pipeline.mjs';
import { decodePipelineResource } from '../../../src/domain/definition-decoding.js';
import { BackendError, InvalidInputError } from '../../../src/domain/errors.js';
import type { Provider } from '../../../src/ports/provider.js';
import { InMemoryProvider, type InMemoryProviderOptions } from '../../../src/testing/in-memory-provider.js';
import { DefinitionBodyMother, RunDefinitionMother } from '../../support/definition-mother.js';
import { send } from '../../support/http-client.js';
import { type RunningApp, startApp } from '../../support/http-app-harness.js';
import { RecordingLogger } from '../../support/recording-logger.js';

const bodies = {
  pipeline: DefinitionBodyMother.pipeline(),
  run: DefinitionBodyMother.run(),
  runschedule: DefinitionBodyMother.runSchedule(),
  experiment: DefinitionBodyMother.experiment(),
} as const;

function expectProviderError(
  answer: { status: number; json: Record<string, unknown> | undefined; headers: Headers },
  status: number,
  includes?: string,
): void {
  expect(answer.status).to.equal(status);
  expect(answer.headers.get('content-type')).to.match(/^application\/json/);
  expect(answer.json).to.have.property('providerError').that.is.a('string').and.not.equal('');
  if (includes) expect(answer.json!['providerError']).to.include(includes);
}

describe('HTTP resource API', () => {
  let running: RunningApp | undefined;
  let provider: InMemoryProvider;
  const calls = (): InMemoryProvider['calls'] => provider.calls;

  // Serves a fresh in-memory provider (offering `operations`) or, when given, `custom`.
  async function serve(
    options: Parameters<typeof startApp>[1] = {},
    operations?: InMemoryProviderOptions['operations'],
    custom?: Provider,
  ): Promise<string> {
    provider = new InMemoryProvider(operations ? { operations } : {});
    running = await startApp(custom ?? provider, options);
    return running.baseUrl;
  }

  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  describe('success', () => {
    for (const type of ['pipeline', 'run', 'runschedule', 'experiment'] as const) {
      it(`POST /resource/${type} answers 201 with the provider's id`, async () => {
        const base = await serve();
        const answer = await send(base, 'POST', `/resource/${type}`, { json: bodies[type] });
        expect(answer.status).to.equal(201);
        expect(answer.json).to.deep.equal({ id: `${type}-1` });
        expect(calls().map(({ type: t, operation }) => [t, operation])).to.deep.equal([[type, 'create']]);
      });
    }

    it('hands the provider the decoded definition', async () => {
      const base = await serve();
      await send(base, 'POST', '/resource/run', { json: bodies.run });
      expect(calls()[0]!.definition).to.deep.include({
        name: { namespace: 'team', name: 'train' },
        pipelineName: { namespace: 'team', name: 'pipe' },
        parameters: { learningRate: '0.1' },
      });
    });

    it('PUT answers 200 with the id the provider returns, which may differ from the path', async () => {
      const memory = new InMemoryProvider();
      // Like KFP, which replaces a recurring run on update: the new id derives from the old one here.
      const renaming: Provider = { ...memory, pipeline: { update: async (id) => `${id}-replaced` } };
      const base = await serve({}, undefined, renaming);
      const answer = await send(base, 'PUT', '/resource/pipeline/old-id', { json: bodies.pipeline });
      expect(answer.status).to.equal(200);
      expect(answer.json).to.deep.equal({ id: 'old-id-replaced' });
    });

    it('decodes a percent-encoded id exactly once', async () => {
      const base = await serve();
      provider.seed('runschedule', 'projects/p/locations/l/schedules/1', RunDefinitionMother.schedule());
      const answer = await send(base, 'PUT', '/resource/runschedule/projects%2Fp%2Flocations%2Fl%2Fschedules%2F1', {
        json: bodies.runschedule,
      });
      expect(answer.status).to.equal(200);
      expect(answer.json).to.deep.equal({ id: 'projects/p/locations/l/schedules/1' });
      await send(base, 'DELETE', '/resource/runschedule/a%252Fb');
      await send(base, 'DELETE', '/resource/pipeline/team%2Fpipe%20x');
      expect(calls().map((call) => call.id)).to.deep.equal(['projects/p/locations/l/schedules/1', 'a%2Fb', 'team/pipe x']);
    });

    for (const type of ['pipeline', 'run', 'runschedule', 'experiment'] as const) {
      it(`DELETE /resource/${type}/{id} answers 200 with exactly {}`, async () => {
        const base = await serve();
        const answer = await send(base, 'DELETE', `/resource/${type}/ns%2Fname`);
        expect(answer.status).to.equal(200);
        expect(answer.text).to.equal('{}');
        expect(answer.headers.get('content-type')).to.match(/^application\/json/);
        expect(calls()).to.deep.equal([{ type, operation: 'delete', id: 'ns/name' }]);
      });
    }

    it('accepts application/json with a charset parameter and odd casing', async () => {
      const base = await serve();
      for (const contentType of ['application/json; charset=utf-8', 'Application/JSON;charset=UTF-8']) {
        const answer = await send(base, 'POST', '/resource/experiment', { body: JSON.stringify(bodies.experiment), contentType });
        expect(answer.status, contentType).to.equal(201);
      }
    });

    it('accepts a realistic 5 MB compiled pipeline under the default limits', async () => {
      const base = await serve();
      const compiledPipeline = realisticCompiledPipeline(5_000_000);
      const body = JSON.stringify({ ...bodies.pipeline, compiledPipeline });
      expect(body.length).to.be.within(5_000_000, 5_100_000);
      const answer = await send(base, 'POST', '/resource/pipeline', { body, contentType: 'application/json' });
      expect(answer.status).to.equal(201);
      expect((calls()[0]!.definition as { compiledPipeline: unknown }).compiledPipeline).to.deep.equal(compiledPipeline);
    });

    it('echoes the caller request id, and makes one up otherwise', async () => {
      const base = await serve();
      expect((await send(base, 'GET', '/livez', { headers: { 'x-request-id': 'abc-123' } })).headers.get('x-request-id')).to.equal(
        'abc-123',
      );
      expect((await send(base, 'GET', '/nowhere')).headers.get('x-request-id')).to.match(/^req-\d+$/);
    });
  });

  describe('400', () => {
    it('answers a body that is not JSON', async () => {
      const base = await serve();
      expectProviderError(
        await send(base, 'POST', '/resource/run', { body: '{"name":', contentType: 'application/json' }),
        400,
        'not valid JSON',
      );
      expect(calls()).to.deep.equal([]);
    });

    it('answers an empty body', async () => {
      const base = await serve();
      expectProviderError(await send(base, 'POST', '/resource/run', { body: '', contentType: 'application/json' }), 400, 'empty');
      expectProviderError(await send(base, 'PUT', '/resource/run/x', { contentType: 'application/json' }), 501);
      expectProviderError(await send(base, 'PUT', '/resource/pipeline/x', { contentType: 'application/json' }), 400, 'empty');
    });

    const invalid: Array<{ why: string; type: keyof typeof bodies; body: unknown; includes: string }> = [
      { why: 'a JSON array', type: 'run', body: [], includes: 'body must be a JSON object' },
      {
        why: 'a run with neither a name nor a run configuration',
        type: 'run',
        body: DefinitionBodyMother.run({ name: '', runConfigurationName: '' }),
        includes: 'run.name or run.runConfigurationName must not be empty',
      },
      { why: 'an empty pipeline name', type: 'pipeline', body: { pipelineDefinition: { name: '' } }, includes: 'pipelineDefinition.name' },
      { why: 'an empty experiment name', type: 'experiment', body: { name: '' }, includes: 'experiment.name' },
      { why: 'a namespaced name a/b/c', type: 'run', body: DefinitionBodyMother.run({ pipelineName: 'a/b/c' }), includes: 'a/b/c' },
      { why: 'a namespaced name /x', type: 'run', body: DefinitionBodyMother.run({ runConfigurationName: '/x' }), includes: '"/x"' },
      { why: 'a namespaced name acc/', type: 'experiment', body: { name: 'acc/' }, includes: 'acc/' },
      {
        why: 'a 4-field cron',
        type: 'runschedule',
        body: DefinitionBodyMother.runSchedule({ schedule: { cronExpression: '* * * *' } }),
        includes: '4 fields',
      },
      {
        why: 'a 7-field cron',
        type: 'runschedule',
        body: DefinitionBodyMother.runSchedule({ schedule: { cronExpression: '0 0 0 * * * 2030' } }),
        includes: '7 fields',
      },
      {
        why: 'a schedule without trigger indicator',
        type: 'runschedule',
        body: DefinitionBodyMother.runSchedule({ triggerIndicator: undefined }),
        includes: 'triggerIndicator',
      },
      {
        why: 'a start time that is not RFC 3339',
        type: 'runschedule',
        body: DefinitionBodyMother.runSchedule({ schedule: { cronExpression: '0 3 * * *', startTime: 'tomorrow' } }),
        includes: 'startTime',
      },
    ];
    for (const { why, type, body, includes } of invalid) {
      it(`answers ${why} on POST and PUT`, async () => {
        const base = await serve();
        expectProviderError(await send(base, 'POST', `/resource/${type}`, { json: body }), 400, includes);
        if (type !== 'run') expectProviderError(await send(base, 'PUT', `/resource/${type}/some-id`, { json: body }), 400, includes);
        expect(calls()).to.deep.equal([]);
      });
    }

    for (const bad of ['%E0%A4%A', '%zz', 'abc%']) {
      it(`answers a malformed percent escape in the id (${bad}), carrying no id as there is no decoded one`, async () => {
        const base = await serve();
        for (const answer of [
          await send(base, 'DELETE', `/resource/pipeline/${bad}`),
          await send(base, 'PUT', `/resource/pipeline/${bad}`, { json: bodies.pipeline }),
        ]) {
          expectProviderError(answer, 400, 'percent-encoded');
          expect(answer.json).not.to.have.property('id');
        }
        expect(calls()).to.deep.equal([]);
      });
    }
  });

  describe('404 and 405', () => {
    it('answers an unknown resource type with 404', async () => {
      const base = await serve();
      expectProviderError(await send(base, 'POST', '/resource/widget', { json: {} }), 404, 'widget');
      expectProviderError(await send(base, 'PUT', '/resource/widget/1', { json: {} }), 404, 'widget');
      expectProviderError(await send(base, 'DELETE', '/resource/widget/1'), 404, 'widget');
    });

    for (const path of ['/', '/nowhere', '/resource', '/resource/run/a/b', '/resources/run']) {
      it(`answers the unknown route ${path} with a JSON 404`, async () => {
        const base = await serve();
        expectProviderError(await send(base, 'GET', path), 404);
      });
    }

    const wrongMethods: Array<[string, string]> = [
      ['GET', '/resource/run'],
      ['DELETE', '/resource/run'],
      ['PATCH', '/resource/run/x'],
      ['POST', '/resource/run/x'],
      ['GET', '/resource/pipeline/x'],
      ['POST', '/livez'],
      ['DELETE', '/readyz'],
    ];
    for (const [method, path] of wrongMethods) {
      it(`answers ${method} ${path} with a JSON 405`, async () => {
        const base = await serve();
        expectProviderError(await send(base, method, path, method === 'GET' || method === 'DELETE' ? {} : { json: {} }), 405, method);
      });
    }

    it('names the allowed methods in the Allow header of a 405', async () => {
      const base = await serve();
      const answer = await send(base, 'GET', '/resource/run/x');
      expect(answer.status).to.equal(405);
      expect(answer.headers.get('allow')?.split(', ').sort()).to.deep.equal(['DELETE', 'PUT']);
    });
  });

  describe('requests Node refuses before the app', () => {
    function rawRequest(port: string, request: string): Promise<string> {
      return new Promise((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.end(request));
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
      });
    }

    it('answers a malformed request line with a JSON 400', async () => {
      const base = await serve();
      const answer = await rawRequest(new URL(base).port, 'THIS IS NOT HTTP\r\n\r\n');
      expect(answer).to.match(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)))
        .to.have.property('providerError')
        .that.includes('malformed request');
    });

    it('answers headers over the size limit with a JSON 431', async () => {
      const base = await serve();
      const answer = await rawRequest(new URL(base).port, `GET /livez HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(answer).to.match(/^HTTP\/1\.1 431 /);
      expect(answer).to.include('content-type: application/json');
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))['providerError'])
        .to.be.a('string')
        .and.not.equal('');
    });
  });

  describe('413', () => {
    it('answers a body larger than the configured limit, by Content-Length', async () => {
      const base = await serve({ bodyLimitBytes: 1024 });
      const body = JSON.stringify(DefinitionBodyMother.pipeline({ compiledPipeline: { blob: 'x'.repeat(2000) } }));
      expectProviderError(await send(base, 'POST', '/resource/pipeline', { body, contentType: 'application/json' }), 413, '1024');
      expect(calls()).to.deep.equal([]);
    });

    it('answers a chunked body that grows past the limit', async () => {
      const base = await serve({ bodyLimitBytes: 1024 });
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const request = httpRequest(
          `${base}/resource/pipeline`,
          { method: 'POST', headers: { 'content-type': 'application/json' } },
          (response) => {
            let text = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (text += chunk));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
          },
        );
        request.on('error', reject);
        request.write('{"pipelineDefinition":{"name":"p"},"compiledPipeline":"');
        request.write('x'.repeat(4000));
        request.end('"}');
      });
      expect(status).to.equal(413);
      expect(JSON.parse(text)).to.have.property('providerError').that.includes('1024');
    });

    it('accepts a body right at the limit', async () => {
      const base = await serve({ bodyLimitBytes: 1024 });
      const prefix = JSON.stringify({ name: 'exp', description: '' });
      const body = JSON.stringify({ name: 'exp', description: 'd'.repeat(1024 - prefix.length) });
      expect(Buffer.byteLength(body)).to.equal(1024);
      expect((await send(base, 'POST', '/resource/experiment', { body, contentType: 'application/json' })).status).to.equal(201);
    });
  });

  describe('415', () => {
    const contentTypes = [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'application/jsonp', 'text/json'];
    for (const contentType of contentTypes) {
      it(`answers a body sent as ${contentType ?? 'no content type'}`, async () => {
        const base = await serve();
        const body = Buffer.from(JSON.stringify(bodies.experiment));
        expectProviderError(await send(base, 'POST', '/resource/experiment', { body, ...(contentType ? { contentType } : {}) }), 415);
        expect(calls()).to.deep.equal([]);
      });
    }
  });

  describe('501', () => {
    it('answers PUT of a run', async () => {
      const base = await serve();
      expectProviderError(await send(base, 'PUT', '/resource/run/r-1', { json: bodies.run }), 501, 'update of run');
      expect(calls()).to.deep.equal([]);
    });

    it('answers every experiment operation of a provider without experiments', async () => {
      const base = await serve({}, { experiment: [] });
      expectProviderError(await send(base, 'POST', '/resource/experiment', { json: bodies.experiment }), 501, 'experiment');
      expectProviderError(await send(base, 'PUT', '/resource/experiment/e', { json: bodies.experiment }), 501, 'experiment');
      expectProviderError(await send(base, 'DELETE', '/resource/experiment/e'), 501, 'experiment');
      expect(calls()).to.deep.equal([]);
    });
  });

  describe('500', () => {
    it('carries the message of a BackendError', async () => {
      const base = await serve();
      provider.failNext('pipeline', 'create', new BackendError('storage write to gs://bucket/team/pipe failed: permission denied'));
      const answer = await send(base, 'POST', '/resource/pipeline', { json: bodies.pipeline });
      expectProviderError(answer, 500);
      expect(answer.json).to.deep.equal({ providerError: 'storage write to gs://bucket/team/pipe failed: permission denied' });
    });

    it('answers a plain Error with 500 and its message, without a stack', async () => {
      const base = await serve();
      provider.failNext('run', 'delete', new TypeError('cannot read properties of undefined'));
      const answer = await send(base, 'DELETE', '/resource/run/r');
      expectProviderError(answer, 500, 'cannot read properties of undefined');
      expect(answer.text).not.to.include('at ');
    });

    it('logs the failure with the request id of the access line', async () => {
      const logger = new RecordingLogger();
      const base = await serve({ logger });
      provider.failNext('pipeline', 'delete', new BackendError('bucket unreachable'));
      await send(base, 'DELETE', '/resource/pipeline/team%2Fpipe', { headers: { 'x-request-id': 'req-from-step' } });
      const [failure] = logger.at('error');
      expect(failure).to.deep.include({ message: 'request failed' });
      expect(failure!.fields).to.include({ requestId: 'req-from-step', method: 'DELETE', status: 500 });
      expect(logger.at('info').find((line) => line.message === 'request')!.fields).to.include({ requestId: 'req-from-step' });
    });
  });

  describe('error answers to PUT and DELETE carry the decoded id of the path; POST error answers carry none', () => {
    const path = '/resource/pipeline/team%2Fpipe';

    it('400: PUT of a body that is not JSON, DELETE the provider refuses', async () => {
      const base = await serve();
      const put = await send(base, 'PUT', path, { body: '{"pipelineDefinition":', contentType: 'application/json' });
      expectProviderError(put, 400, 'not valid JSON');
      expect(put.json).to.have.property('id', 'team/pipe');
      provider.failNext('pipeline', 'delete', new InvalidInputError('pipeline id team/pipe is not one of ours'));
      expect((await send(base, 'DELETE', path)).json).to.deep.equal({
        id: 'team/pipe',
        providerError: 'pipeline id team/pipe is not one of ours',
      });
    });

    it('500: the backend fails the update or the delete', async () => {
      const base = await serve();
      provider.seed('pipeline', 'team/pipe', decodePipelineResource(bodies.pipeline));
      provider.failNext('pipeline', 'update', new BackendError('upload failed: quota exceeded'));
      provider.failNext('pipeline', 'delete', new BackendError('delete failed: unavailable'));
      const put = await send(base, 'PUT', path, { json: bodies.pipeline });
      expect([put.status, put.json]).to.deep.equal([500, { id: 'team/pipe', providerError: 'upload failed: quota exceeded' }]);
      const remove = await send(base, 'DELETE', path);
      expect([remove.status, remove.json]).to.deep.equal([500, { id: 'team/pipe', providerError: 'delete failed: unavailable' }]);
    });

    it('501: the provider does not implement update or delete', async () => {
      const base = await serve({}, { pipeline: ['create'] });
      for (const answer of [await send(base, 'PUT', path, { json: bodies.pipeline }), await send(base, 'DELETE', path)]) {
        expectProviderError(answer, 501, 'pipeline');
        expect(answer.json).to.have.property('id', 'team/pipe');
      }
      expect(calls()).to.deep.equal([]);
    });

    it('415 and 413: refusals of the HTTP edge after the id is read carry it too', async () => {
      const base = await serve({ bodyLimitBytes: 64 });
      const wrongType = await send(base, 'PUT', path, { body: JSON.stringify(bodies.pipeline), contentType: 'text/plain' });
      expectProviderError(wrongType, 415);
      expect(wrongType.json).to.have.property('id', 'team/pipe');
      const tooLarge = await send(base, 'PUT', path, { json: bodies.pipeline });
      expectProviderError(tooLarge, 413);
      expect(tooLarge.json).to.have.property('id', 'team/pipe');
    });

    it('POST: 400, 500 and 501 answers carry no id', async () => {
      const base = await serve({}, { experiment: [] });
      provider.failNext('run', 'create', new BackendError('job quota exceeded'));
      const answers = [
        await send(base, 'POST', '/resource/pipeline', { body: '{', contentType: 'application/json' }),
        await send(base, 'POST', '/resource/run', { json: bodies.run }),
        await send(base, 'POST', '/resource/experiment', { json: bodies.experiment }),
      ];
      expect(answers.map((answer) => answer.status)).to.deep.equal([400, 500, 501]);
      for (const answer of answers) {
        expectProviderError(answer, answer.status);
        expect(answer.json).not.to.have.property('id');
      }
    });
  });
});
