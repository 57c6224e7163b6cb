import { PubSub } from '@google-cloud/pubsub';
import { expect } from 'chai';
import { createProviderService, type ProviderService } from '../../../src/composition/create-provider-service.js';
import { RecordingWebhookReceiver } from '../../../src/testing/recording-webhook-receiver.js';
import { eventually } from '../../support/eventually.js';
import { FakeVertexServer } from '../../support/fake-vertex-server.js';
import { PubSubEmulator } from '../../support/pubsub-emulator.js';
import { finishedJob, logEntry, vertexParent } from './vertex-log-entries.js';

async function status(url: string): Promise<number> {
  return (await fetch(url)).status;
}

async function metric(service: ProviderService, name: string): Promise<number | undefined> {
  const line = (await service.metrics.registry.metrics()).split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

describe('Pub/Sub run events while the Pub/Sub server crashes and comes back (emulator killed under the running service)', function () {
  this.timeout(120_000);
  const emulator = new PubSubEmulator();
  let vertex: FakeVertexServer;
  let receiver: RecordingWebhookReceiver;
  let admin: PubSub | undefined;
  let service: ProviderService | undefined;
  let sequence = 0;
  let topic = '';
  let subscription = '';

  // The emulator forgets every topic and subscription when it dies; a fresh client per emulator
  // keeps the administration out of the channel backoff of the dead one.
  async function createTopicAndSubscription(): Promise<void> {
    await admin?.close();
    admin = new PubSub({ projectId: 'test-project', apiEndpoint: emulator.host, emulatorMode: true, universeDomain: 'googleapis.com' });
    await admin.createTopic(topic);
    await admin.topic(topic).createSubscription(subscription);
  }

  async function publish(jobId: string): Promise<void> {
    vertex.jobs.set(`${vertexParent}/pipelineJobs/${jobId}`, finishedJob(jobId));
    await admin!.topic(topic).publishMessage({ data: Buffer.from(logEntry(jobId)) });
  }

  function deliveredRunIds(): Set<string> {
    return new Set(receiver.events.map((event) => (event as { runId: string }).runId));
  }

  async function startService(reconnectBudgetMs: number): Promise<ProviderService> {
    service = createProviderService({
      config: {
        PROVIDERNAME: 'ops/vertex-provider',
        PIPELINEROOTSTORAGE: 'gs://pipeline-root',
        OPERATORWEBHOOK: receiver.url,
        PARAMETERS_VAIPROJECT: 'test-project',
        PARAMETERS_VAILOCATION: 'europe-west2',
        PARAMETERS_VAIENDPOINT: vertex.endpoint,
        PARAMETERS_PIPELINEBUCKET: 'pipelines',
        PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION: subscription,
        PUBSUB_EMULATOR_HOST: emulator.host,
        EVENTS_SOURCE_RECONNECT_BUDGET_MS: String(reconnectBudgetMs),
        EVENTS_RETRY_INITIAL_MS: '50',
        EVENTS_RETRY_MAX_MS: '200',
        SHUTDOWN_TIMEOUT_MS: '1000',
      },
    });
    await service.start();
    return service;
  }

  before(async function () {
    this.timeout(120_000);
    await emulator.start();
    vertex = await new FakeVertexServer().start();
    receiver = await new RecordingWebhookReceiver().start();
  });

  beforeEach(async () => {
    sequence += 1;
    topic = `pipeline-events-${sequence}`;
    subscription = `pipeline-events-sub-${sequence}`;
    await createTopicAndSubscription();
  });

  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await admin?.close();
    admin = undefined;
  });

  after(async () => {
    await receiver?.stop();
    await vertex?.stop();
    await emulator.stop();
  });

  it('turns not ready within seconds, and receives again without a restart once Pub/Sub is back', async () => {
    const running = await startService(120_000);
    const url = running.url!;
    expect(await status(`${url}/readyz`)).to.equal(200);
    for (const id of ['before-1', 'before-2', 'before-3']) await publish(id);
    await eventually(
      'the events before the crash',
      () => ['before-1', 'before-2', 'before-3'].every((id) => deliveredRunIds().has(id)),
      10_000,
    );
    expect(await metric(running, 'provider_event_source_connected')).to.equal(1);

    await emulator.kill();
    await eventually('/readyz 503', async () => (await status(`${url}/readyz`)) === 503, 5000, 50);
    expect(await status(`${url}/livez`), 'alive: it reconnects by itself').to.equal(200);
    expect(await metric(running, 'provider_event_source_connected')).to.equal(0);

    await emulator.restart();
    await createTopicAndSubscription();
    for (const id of ['after-1', 'after-2', 'after-3']) await publish(id);
    await eventually(
      'the events after the restart',
      () => ['after-1', 'after-2', 'after-3'].every((id) => deliveredRunIds().has(id)),
      30_000,
      50,
    );
    await eventually('/readyz 200', async () => (await status(`${url}/readyz`)) === 200, 10_000, 50);
    expect(await metric(running, 'provider_event_source_connected')).to.equal(1);
    expect(await metric(running, 'provider_event_source_reconnects_total')).to.be.at.least(1);
    // The emulator keeps nothing across a crash: a message published before the kill and not yet
    // acknowledged dies with it (Pub/Sub itself keeps it and redelivers it). So what counts is
    // what it could have kept: every event delivered before the crash, and every event
    // published after the restart; none of them is missing.
    expect([...deliveredRunIds()]).to.have.members(['before-1', 'before-2', 'before-3', 'after-1', 'after-2', 'after-3']);
  });

  it('fails for good when Pub/Sub stays away for longer than the budget: failure() set, /livez 503', async () => {
    let killed = false;
    try {
      const running = await startService(1500);
      const url = running.url!;
      expect(running.failure()).to.equal(undefined);
      await emulator.kill();
      killed = true;
      await eventually('the failure', () => running.failure() !== undefined, 10_000, 50);
      expect(running.failure()).to.match(
        /^Pub\/Sub subscription projects\/test-project\/subscriptions\/pipeline-events-sub-\d+ unreachable for \d\.\d s, beyond the reconnect budget of 1\.5 s: /,
      );
      const livez = await fetch(`${url}/livez`);
      expect(livez.status).to.equal(503);
      expect(((await livez.json()) as { providerError: string }).providerError).to.contain('pipeline-events-sub');
      expect(await status(`${url}/readyz`)).to.equal(503);
    } finally {
      if (killed) await emulator.restart();
    }
  });
});
