import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { RecordingWebhookReceiver } from '../../src/testing/recording-webhook-receiver.js';
import { DefinitionBodyMother } from '../support/definition-mother.js';
import { eventually } from '../support/eventually.js';
import { send } from '../support/http-client.js';
import { ServiceProcess } from '../support/service-process.js';

interface EventBody {
  readonly runId: string;
  readonly runName?: string;
  readonly runConfigurationName?: string;
  readonly runStartTime: string;
}

function runIdOf(body: unknown): string {
  return (body as EventBody).runId;
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

describe('end to end: the local provider on a state file survives restarts and crashes', function () {
  this.timeout(30_000);
  let dir: string;
  let stateFile: string;
  let receiver: RecordingWebhookReceiver;
  const processes: ServiceProcess[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-restart-'));
    stateFile = join(dir, 'state.db');
    receiver = await new RecordingWebhookReceiver().start();
  });

  afterEach(async () => {
    for (const service of processes.splice(0)) await service.stop('SIGKILL');
    await receiver.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function service(settings: Record<string, string> = {}): Promise<ServiceProcess> {
    const started = await ServiceProcess.start('local service', {
      PROVIDERNAME: 'ops/local',
      PIPELINEROOTSTORAGE: 'gs://pipeline-root',
      OPERATORWEBHOOK: receiver.url,
      PARAMETERS_STATEFILE: stateFile,
      PARAMETERS_RUNDURATIONMS: '50',
      EVENTS_RETRY_INITIAL_MS: '20',
      EVENTS_RETRY_MAX_MS: '100',
      SHUTDOWN_TIMEOUT_MS: '300',
      ...settings,
    });
    processes.push(started);
    return started;
  }

  async function create(base: string, type: string, json: unknown): Promise<string> {
    const answer = await send(base, 'POST', `/resource/${type}`, { json });
    expect(answer.status, answer.text).to.equal(201);
    return answer.json!['id'] as string;
  }

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`delivers every event exactly once after a ${signal} and a restart while the webhook is down, once it is back`, async () => {
      let webhookUp = false;
      const delivered: string[] = [];
      receiver.answerWith((request) => {
        if (!webhookUp) return 500;
        delivered.push(runIdOf(request.json));
        return 200;
      });
      // Enough slots for every event to be under way at once, each waiting out its own backoff.
      const settings = { EVENTS_CONCURRENCY: '16' };
      const first = await (await service(settings)).ready();
      await create(first.url, 'pipeline', DefinitionBodyMother.pipeline());
      const runIds: string[] = [];
      for (let n = 0; n < 10; n += 1) runIds.push(await create(first.url, 'run', DefinitionBodyMother.run({ name: `team/run-${n}` })));
      await eventually('every run to be tried at the webhook', () => new Set(receiver.events.map(runIdOf)).size === 10, 10_000);
      const exit = await first.stop(signal);
      expect(exit).to.deep.equal(signal === 'SIGTERM' ? { code: 0, signal: null } : { code: null, signal: 'SIGKILL' });

      const second = await (await service(settings)).ready();
      const triedBefore = receiver.requests.length;
      await eventually('the restarted service to retry the undelivered events', () => receiver.requests.length >= triedBefore + 10, 10_000);
      webhookUp = true;
      await eventually('every event to be delivered', () => new Set(delivered).size === 10, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(
        [...countBy(delivered)].filter(([, count]) => count > 1),
        'delivered more than once',
      ).to.deep.equal([]);
      expect([...new Set(delivered)].sort()).to.deep.equal([...runIds].sort());
      expect(second.stderr).to.equal('');
    });
  }

  it('loses nothing when killed while events flow, and delivers again at most what was in flight', async () => {
    const delivered: string[] = [];
    receiver.answerWith((request) => {
      delivered.push(runIdOf(request.json));
      return 200;
    });
    const first = await (await service({ EVENTS_CONCURRENCY: '8' })).ready();
    await create(first.url, 'pipeline', DefinitionBodyMother.pipeline());
    const runIds: string[] = [];
    for (let n = 0; n < 40; n += 1) runIds.push(await create(first.url, 'run', DefinitionBodyMother.run({ name: `team/run-${n}` })));
    await first.stop('SIGKILL');
    const deliveredBeforeCrash = delivered.length;

    await (await service({ EVENTS_CONCURRENCY: '8' })).ready();
    await eventually('every event to be delivered', () => new Set(delivered).size === 40, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const duplicates = delivered.length - 40;
    expect(deliveredBeforeCrash, 'some events were delivered before the crash').to.be.above(0);
    expect(duplicates, `${duplicates} delivered twice`).to.be.at.most(8);
    expect([...new Set(delivered)].sort()).to.deep.equal([...runIds].sort());
  });

  it('finishes a run that was under way when the process was killed, with its original start time', async () => {
    const first = await (await service({ PARAMETERS_RUNDURATIONMS: '1500' })).ready();
    await create(first.url, 'pipeline', DefinitionBodyMother.pipeline());
    const createdAt = Date.now();
    const runId = await create(first.url, 'run', DefinitionBodyMother.run());
    expect(await first.stop('SIGKILL')).to.deep.equal({ code: null, signal: 'SIGKILL' });
    expect(receiver.requests).to.have.length(0);

    await (await service({ PARAMETERS_RUNDURATIONMS: '1500' })).ready();
    const [request] = await receiver.waitForRequests(1, 10_000);
    const event = request!.json as EventBody;
    expect(event).to.include({ runId, runName: 'team/train' });
    expect(Date.parse(event.runStartTime)).to.be.within(createdAt - 1000, createdAt + 1000);
  });

  it('keeps firing a schedule created before a restart, and keeps its pipelines', async () => {
    const first = await (await service()).ready();
    await create(first.url, 'pipeline', DefinitionBodyMother.pipeline());
    const everySecond = DefinitionBodyMother.runSchedule({ schedule: { cronExpression: '* * * * * *' } });
    const scheduleId = await create(first.url, 'runschedule', everySecond);
    await receiver.waitForRequests(1, 5000);
    await first.stop('SIGTERM');

    const restartedAt = Date.now();
    const second = await (await service()).ready();
    await eventually(
      'the schedule to fire twice after the restart',
      () => receiver.events.filter((event) => Date.parse((event as EventBody).runStartTime) >= restartedAt).length >= 2,
      10_000,
    );
    const fired = receiver.events.map((event) => event as EventBody);
    expect(fired.every((event) => event.runConfigurationName === 'team/rc' && event.runName === undefined)).to.equal(true);
    // The pipeline is still there: a run of it is accepted without uploading it again.
    await create(second.url, 'run', DefinitionBodyMother.run());
    expect((await send(second.url, 'DELETE', `/resource/runschedule/${encodeURIComponent(scheduleId)}`)).status).to.equal(200);
  });

  it('refuses to start a second process on the same state file, and lets another take over once the owner is killed', async () => {
    const owner = await (await service()).ready();
    const second = await service({ PARAMETERS_STATELOCKWAITMS: '300' });
    expect((await second.exited).code).to.equal(1);
    const failure = second.logLines().find((line) => line['msg'] === 'start-up failed' || String(line['error']).includes(stateFile));
    expect(String(failure?.['error'])).to.include(stateFile).and.include('in use by another process');
    expect(second.stderr).to.equal('');

    await owner.stop('SIGKILL');
    await (await service({ PARAMETERS_STATELOCKWAITMS: '0' })).ready();
  });

  it('lets a process started while the owner runs take over when the owner stops, as in a rolling update', async () => {
    const owner = await (await service()).ready();
    await create(owner.url, 'pipeline', DefinitionBodyMother.pipeline());
    const successor = await service({ PARAMETERS_STATELOCKWAITMS: '20000' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(successor.running).to.equal(true);
    expect(await fetch(`${successor.url}/readyz`).catch(() => undefined)).to.equal(undefined);
    await owner.stop('SIGTERM');
    await successor.ready();
    await create(successor.url, 'run', DefinitionBodyMother.run());
    await receiver.waitForRequests(1, 5000);
  });

  for (const [what, prepare] of [
    ['a file of garbage bytes', async () => writeFile(stateFile, 'certainly not SQLite '.repeat(200))],
    ['a directory', async () => void (stateFile = dir)],
    ['a file in a missing directory', async () => void (stateFile = join(dir, 'missing', 'state.db'))],
  ] as const) {
    it(`stops start-up naming the state file when it is ${what}`, async () => {
      await prepare();
      const broken = await service();
      expect((await broken.exited).code).to.equal(1);
      const failure = broken.logLines().find((line) => line['msg'] === 'start-up failed');
      expect(String(failure?.['error'])).to.include(`"${stateFile}"`);
    });
  }
});
