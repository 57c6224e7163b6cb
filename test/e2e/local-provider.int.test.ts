import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { silentLogger } from '../../src/adapters/logging/silent-logger.js';
import { loadServiceConfig } from '../../src/config/service-config.js';
import { createProviderService, type ProviderService } from '../../src/composition/create-provider-service.js';
import { RecordingWebhookReceiver } from '../../src/testing/recording-webhook-receiver.js';
import { DefinitionBodyMother } from '../support/definition-mother.js';
import { eventually } from '../support/eventually.js';
import { send } from '../support/http-client.js';

interface EventData {
  status: string;
  runName?: string;
  runConfigurationName?: string;
  runId: string;
  runStartTime: string;
  runEndTime: string;
}

describe('end to end: local provider over HTTP to the operator webhook', function () {
  this.timeout(15_000);
  let receiver: RecordingWebhookReceiver;
  let service: ProviderService;
  let base: string;

  async function startService(runDurationMs: number): Promise<void> {
    const config = loadServiceConfig({
      PROVIDERNAME: 'ops/local-provider',
      PIPELINEROOTSTORAGE: 'gs://pipeline-root',
      OPERATORWEBHOOK: receiver.url,
      SERVER_HOST: '127.0.0.1',
      SERVER_PORT: '0',
      METRICS_PORT: '0',
      SHUTDOWN_TIMEOUT_MS: '200',
      EVENTS_RETRY_INITIAL_MS: '5',
      EVENTS_RETRY_MAX_MS: '20',
      PARAMETERS_RUNDURATIONMS: String(runDurationMs),
    });
    service = createProviderService({ provider: 'local', config, logger: silentLogger });
    await service.start();
    base = `http://127.0.0.1:${service.apiPort}`;
    expect((await send(base, 'POST', '/resource/pipeline', { json: DefinitionBodyMother.pipeline() })).status).to.equal(201);
  }

  beforeEach(async () => {
    receiver = await new RecordingWebhookReceiver().start();
    await startService(50);
  });

  afterEach(async () => {
    await service?.stop();
    await receiver?.stop();
  });

  it('reports a finished run with the exact RunCompletionEventData', async () => {
    const before = Date.now();
    const created = await send(base, 'POST', '/resource/run', {
      json: DefinitionBodyMother.run({
        artifacts: [
          { name: 'model', path: 'Trainer:model' },
          { name: 'pushed', path: 'Pusher:pushed_model:0[pushed == 1]' },
        ],
      }),
    });
    const after = Date.now();
    expect(created.status).to.equal(201);
    const runId = created.json!['id'] as string;
    expect(runId).to.be.a('string').and.not.equal('');

    const [request] = await receiver.waitForRequests(1, 5000);
    expect(request!.method).to.equal('POST');
    expect(request!.path).to.equal('/events');
    expect(request!.headers['content-type']).to.equal('application/json');
    const event = request!.json as EventData;
    const startedAt = Date.parse(event.runStartTime);
    const endedAt = Date.parse(event.runEndTime);
    expect(startedAt).to.be.within(before, after);
    expect(endedAt - startedAt).to.be.at.least(45);
    expect(event).to.deep.equal({
      status: 'succeeded',
      pipelineName: 'team/pipe',
      runConfigurationName: 'team/rc',
      runName: 'team/train',
      runId,
      runStartTime: new Date(startedAt).toISOString(),
      runEndTime: new Date(endedAt).toISOString(),
      pipelineComponents: [
        {
          name: 'Trainer',
          componentArtifacts: [
            { name: 'model', artifacts: [{ uri: `gs://pipeline-root/team/pipe/${runId}/Trainer/model`, metadata: {} }] },
          ],
        },
        {
          name: 'Pusher',
          componentArtifacts: [
            { name: 'pushed_model', artifacts: [{ uri: `gs://pipeline-root/team/pipe/${runId}/Pusher/pushed_model`, metadata: {} }] },
          ],
        },
      ],
      provider: 'ops/local-provider',
    });
  });

  it('reports a run whose parameters say outcome: failed as failed', async () => {
    const created = await send(base, 'POST', '/resource/run', {
      json: DefinitionBodyMother.run({ parameters: { outcome: 'failed' }, runConfigurationName: '' }),
    });
    const [request] = await receiver.waitForRequests(1, 5000);
    expect(request!.json).to.deep.include({ status: 'failed', runId: created.json!['id'], runName: 'team/train' });
    expect(request!.json).not.to.have.property('runConfigurationName');
  });

  it('accepts a run without a name for a run configuration; its event carries the run configuration only', async () => {
    const created = await send(base, 'POST', '/resource/run', { json: DefinitionBodyMother.run({ name: '' }) });
    expect(created.status).to.equal(201);
    const [request] = await receiver.waitForRequests(1, 5000);
    expect(request!.json).to.deep.include({ status: 'succeeded', runId: created.json!['id'], runConfigurationName: 'team/rc' });
    expect(request!.json).not.to.have.property('runName');
  });

  it('takes a large body sent the way curl sends it (Expect: 100-continue) and answers as usual', async () => {
    const body = JSON.stringify(DefinitionBodyMother.pipeline({ compiledPipeline: { blob: 'p'.repeat(2 * 1024 * 1024) } }));
    const url = new URL('/resource/pipeline', base);
    const answer = await new Promise<{ status: number; text: string; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const request = httpRequest(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
      });
      request.on('continue', () => {
        continued = true;
        request.end(body);
      });
      request.on('response', (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text, continued }));
      });
      request.on('error', reject);
    });
    expect(answer).to.deep.equal({ status: 201, text: JSON.stringify({ id: 'team/pipe' }), continued: true });
  });

  it('does not report a run deleted before it finished', async () => {
    // Runs long enough for the delete to arrive first even on a busy machine.
    await service.stop();
    await startService(500);
    const created = await send(base, 'POST', '/resource/run', { json: DefinitionBodyMother.run() });
    const deleted = await send(base, 'DELETE', `/resource/run/${encodeURIComponent(created.json!['id'] as string)}`);
    expect(deleted.status).to.equal(200);
    expect(deleted.text).to.equal('{}');
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(receiver.requests).to.have.length(0);
  });

  it('fires a per-second schedule as runs naming the run configuration but no run, until the schedule is deleted', async () => {
    const created = await send(base, 'POST', '/resource/runschedule', {
      json: DefinitionBodyMother.runSchedule({ schedule: { cronExpression: '* * * * * *' } }),
    });
    expect(created.status).to.equal(201);
    const scheduleId = created.json!['id'] as string;
    await receiver.waitForRequests(2, 5000);
    const deleted = await send(base, 'DELETE', `/resource/runschedule/${encodeURIComponent(scheduleId)}`);
    expect(deleted.text).to.equal('{}');
    await new Promise((resolve) => setTimeout(resolve, 450));
    const count = receiver.requests.length;
    const events = receiver.events as EventData[];
    for (const event of events) {
      expect(event).to.include({
        status: 'succeeded',
        pipelineName: 'team/pipe',
        runConfigurationName: 'team/rc',
        provider: 'ops/local-provider',
      });
      expect(event).not.to.have.property('runName');
    }
    expect(new Set(events.map((event) => event.runId)).size).to.equal(events.length);
    expect(events.map((event) => event.runId)).not.to.include(scheduleId);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(receiver.requests).to.have.length(count);
  });

  it('fires a schedule neither before its startTime nor after its endTime', async () => {
    const startTime = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000);
    const endTime = new Date(startTime.getTime() + 1000);
    const created = await send(base, 'POST', '/resource/runschedule', {
      json: DefinitionBodyMother.runSchedule({
        schedule: { cronExpression: '* * * * * *', startTime: startTime.toISOString(), endTime: endTime.toISOString() },
      }),
    });
    expect(created.status).to.equal(201);
    await eventually('no firing before startTime', () => Date.now() >= startTime.getTime() - 50, 3000);
    expect(receiver.requests).to.have.length(0);
    await receiver.waitForRequests(2, 4000);
    const starts = (receiver.events as EventData[]).map((event) => Date.parse(event.runStartTime)).sort();
    expect(starts[0]).to.be.at.least(startTime.getTime());
    expect(starts[1]).to.be.at.most(endTime.getTime() + 500);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(receiver.requests).to.have.length(2);
  });

  it('creates, updates and deletes pipelines, experiments and schedules by their ids', async () => {
    const pipeline = await send(base, 'PUT', '/resource/pipeline/team%2Fpipe', { json: DefinitionBodyMother.pipeline() });
    expect(pipeline).to.deep.include({ status: 200, json: { id: 'team/pipe' } });
    const experiment = await send(base, 'POST', '/resource/experiment', { json: DefinitionBodyMother.experiment() });
    expect(experiment).to.deep.include({ status: 201, json: { id: 'team/exp' } });
    expect(
      (await send(base, 'PUT', '/resource/experiment/team%2Fexp', { json: DefinitionBodyMother.experiment({ description: 'new' }) })).json,
    ).to.deep.equal({ id: 'team/exp' });
    expect((await send(base, 'DELETE', '/resource/experiment/team%2Fexp')).text).to.equal('{}');
    const schedule = await send(base, 'POST', '/resource/runschedule', { json: DefinitionBodyMother.runSchedule() });
    const scheduleId = schedule.json!['id'] as string;
    const updated = await send(base, 'PUT', `/resource/runschedule/${encodeURIComponent(scheduleId)}`, {
      json: DefinitionBodyMother.runSchedule(),
    });
    expect(updated).to.deep.include({ status: 200, json: { id: scheduleId } });
    expect((await send(base, 'DELETE', `/resource/runschedule/${encodeURIComponent(scheduleId)}`)).text).to.equal('{}');
    expect((await send(base, 'DELETE', `/resource/runschedule/${encodeURIComponent(scheduleId)}`)).text).to.equal('{}');
    expect((await send(base, 'DELETE', '/resource/pipeline/team%2Fpipe')).text).to.equal('{}');
    expect((await send(base, 'DELETE', '/resource/pipeline/team%2Fpipe')).status).to.equal(200);
    expect((await send(base, 'POST', '/resource/run', { json: DefinitionBodyMother.run() })).status).to.equal(500);
  });

  it('answers a run of a missing pipeline with 500 and a providerError naming it', async () => {
    const answer = await send(base, 'POST', '/resource/run', { json: DefinitionBodyMother.run({ pipelineName: 'team/missing' }) });
    expect(answer.status).to.equal(500);
    expect(answer.json).to.deep.equal({ providerError: 'pipeline team/missing does not exist on the local provider' });
  });

  it('answers a run of a pipeline version never uploaded with 500', async () => {
    const answer = await send(base, 'POST', '/resource/run', { json: DefinitionBodyMother.run({ pipelineVersion: '9.9.9' }) });
    expect(answer.status).to.equal(500);
    expect(answer.json!['providerError']).to.include('9.9.9');
  });

  it('answers 400 for a run asking for a malformed artifact path, before starting it', async () => {
    const answer = await send(base, 'POST', '/resource/run', {
      json: DefinitionBodyMother.run({ artifacts: [{ name: 'm', path: 'Trainer' }] }),
    });
    expect(answer.status).to.equal(400);
    expect(answer.json!['providerError']).to.include('component:artifact');
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(receiver.requests).to.have.length(0);
  });

  it('answers 400 for a schedule whose cron has a field out of range, and keeps nothing', async () => {
    const answer = await send(base, 'POST', '/resource/runschedule', {
      json: DefinitionBodyMother.runSchedule({ schedule: { cronExpression: '99 * * * *' } }),
    });
    expect(answer.status).to.equal(400);
    expect(answer.json!['providerError']).to.include('99 * * * *');
  });

  it('answers 500 for a schedule of a missing pipeline', async () => {
    const answer = await send(base, 'POST', '/resource/runschedule', {
      json: DefinitionBodyMother.runSchedule({ pipelineName: 'team/missing' }),
    });
    expect(answer.status).to.equal(500);
    expect(answer.json!['providerError']).to.include('team/missing');
  });

  it('keeps a schedule firing when an update of it is refused', async () => {
    const created = await send(base, 'POST', '/resource/runschedule', {
      json: DefinitionBodyMother.runSchedule({ schedule: { cronExpression: '* * * * * *' } }),
    });
    const path = `/resource/runschedule/${encodeURIComponent(created.json!['id'] as string)}`;
    const refused = await send(base, 'PUT', path, {
      json: DefinitionBodyMother.runSchedule({ schedule: { cronExpression: '* * * * * *' }, artifacts: [{ name: 'm', path: 'Trainer' }] }),
    });
    expect(refused.status).to.equal(400);
    const before = receiver.requests.length;
    await receiver.waitForRequests(before + 2, 5000);
    await send(base, 'DELETE', path);
  });

  it('refuses to update a schedule it does not know, as Vertex AI does, keeping the id in the answer', async () => {
    const updated = await send(base, 'PUT', '/resource/runschedule/never-created', {
      json: DefinitionBodyMother.runSchedule({ schedule: { cronExpression: '* * * * * *' } }),
    });
    expect(updated).to.deep.include({
      status: 500,
      json: { id: 'never-created', providerError: 'run schedule "never-created" does not exist on the local provider' },
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.requests).to.have.length(0);
  });

  describe('error answers to PUT and DELETE carry the id of the path, decoded', () => {
    it('400: a PUT whose body is refused', async () => {
      const answer = await send(base, 'PUT', '/resource/pipeline/team%2Fpipe', {
        json: DefinitionBodyMother.pipeline({ pipelineDefinition: { name: 'team/a/b' } }),
      });
      expect(answer.status).to.equal(400);
      expect(answer.json).to.include({ id: 'team/pipe' }).and.have.property('providerError').that.includes('team/a/b');
    });

    it('500: a PUT of a schedule the provider does not know', async () => {
      const answer = await send(base, 'PUT', '/resource/runschedule/team%2Fnightly', {
        json: DefinitionBodyMother.runSchedule({ pipelineName: 'team/missing' }),
      });
      expect(answer).to.deep.include({
        status: 500,
        json: { id: 'team/nightly', providerError: 'run schedule "team/nightly" does not exist on the local provider' },
      });
    });

    it('501: a PUT of a run', async () => {
      const answer = await send(base, 'PUT', '/resource/run/team%2Ftrain', { json: DefinitionBodyMother.run() });
      expect(answer.status).to.equal(501);
      expect(answer.json).to.include({ id: 'team/train' }).and.have.property('providerError').that.includes('update of run');
    });

    // The local provider's deletes do not fail (deleting what is gone succeeds), so a DELETE's one
    // error answer here is the malformed escape, which has no decoded id to carry.
    it('400 without an id: a DELETE whose id is not validly percent-encoded', async () => {
      const answer = await send(base, 'DELETE', '/resource/pipeline/team%2');
      expect(answer.status).to.equal(400);
      expect(answer.json).to.have.property('providerError').that.includes('percent-encoded');
      expect(answer.json).not.to.have.property('id');
    });
  });

  it('keeps delivering through a webhook outage (at-least-once)', async () => {
    receiver.answerWith((_request, index) => (index < 3 ? 503 : 200));
    const created = await send(base, 'POST', '/resource/run', { json: DefinitionBodyMother.run() });
    await receiver.waitForRequests(4, 5000);
    expect(receiver.events.map((event) => (event as EventData).runId)).to.deep.equal(Array(4).fill(created.json!['id']));
  });
});
