import { expect } from 'chai';
import { Container } from 'inversify';
import { localModule } from '../../src/adapters/local/local-module.js';
import { silentLogger } from '../../src/adapters/logging/silent-logger.js';
import { loadServiceConfig, narrowServiceConfig } from '../../src/config/service-config.js';
import { coreModule } from '../../src/composition/core-module.js';
import { type RunningService, startService } from '../../src/composition/running-service.js';
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
  let service: RunningService;
  let base: string;

  beforeEach(async () => {
    receiver = await new RecordingWebhookReceiver().start();
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
      PARAMETERS_RUNDURATIONMS: '50',
    });
    const container = new Container();
    container.load(coreModule({ config, logger: silentLogger, defaultMetrics: false }), localModule(narrowServiceConfig(config, 'local')));
    service = await startService(container);
    base = `http://127.0.0.1:${service.apiPort}`;
    expect((await send(base, 'POST', '/resource/pipeline', { json: DefinitionBodyMother.pipeline() })).status).to.equal(201);
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

  it('does not report a run deleted before it finished', async () => {
    const created = await send(base, 'POST', '/resource/run', { json: DefinitionBodyMother.run() });
    const deleted = await send(base, 'DELETE', `/resource/run/${encodeURIComponent(created.json!['id'] as string)}`);
    expect(deleted.status).to.equal(200);
    expect(deleted.text).to.equal('{}');
    await new Promise((resolve) => setTimeout(resolve, 150));
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
    await new Promise((resolve) => setTimeout(resolve, 150));
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

  it('creates a schedule it does not know when asked to update it (its state does not survive a restart)', async () => {
    const updated = await send(base, 'PUT', '/resource/runschedule/from-before-a-restart', {
      json: DefinitionBodyMother.runSchedule({ schedule: { cronExpression: '* * * * * *' } }),
    });
    expect(updated).to.deep.include({ status: 200, json: { id: 'from-before-a-restart' } });
    await receiver.waitForRequests(1, 3000);
    await send(base, 'DELETE', '/resource/runschedule/from-before-a-restart');
  });

  it('keeps delivering through a webhook outage (at-least-once)', async () => {
    receiver.answerWith((_request, index) => (index < 3 ? 503 : 200));
    const created = await send(base, 'POST', '/resource/run', { json: DefinitionBodyMother.run() });
    await receiver.waitForRequests(4, 5000);
    expect(receiver.events.map((event) => (event as EventData).runId)).to.deep.equal(Array(4).fill(created.json!['id']));
  });
});
