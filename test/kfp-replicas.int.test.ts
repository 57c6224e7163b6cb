import { expect } from 'chai';
import { RecordingWebhookReceiver } from '../src/testing/recording-webhook-receiver.js';
import { FakeKfpServer } from './adapters/kfp/fake-kfp-server.js';
import { FakeKubeApiServer, kfpWorkflow } from './adapters/kfp/fake-kube-api-server.js';
import { FakeMlmdServer } from './adapters/kfp/fake-mlmd-server.js';
import { eventually } from './support/eventually.js';
import { send } from './support/http-client.js';
import { ServiceProcess } from './support/service-process.js';

// Short lease settings keep failovers quick; the rules are the same as with the defaults.
const lease = { durationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 250 };
const concurrency = 4;
const publishedLabel = 'pipelines.kubeflow.org/events-published';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('several kfp replicas (dist/main.js) watching one cluster, elected by Lease', function () {
  this.timeout(60_000);
  let kube: FakeKubeApiServer;
  let kfp: FakeKfpServer;
  let mlmd: FakeMlmdServer;
  let receiver: RecordingWebhookReceiver;
  const replicas: ServiceProcess[] = [];

  beforeEach(async () => {
    kube = await new FakeKubeApiServer('kubeflow').start();
    kfp = await new FakeKfpServer().start();
    mlmd = await new FakeMlmdServer().start();
    receiver = await new RecordingWebhookReceiver().start();
    receiver.answerWith(200);
  });

  afterEach(async () => {
    await Promise.all(replicas.splice(0).map((replica) => replica.stop()));
    await Promise.all([kube.stop(), kfp.stop(), mlmd.stop(), receiver.stop()]);
  });

  /** One replica as the operator deploys it, its pod name as HOSTNAME and its own token (to tell its requests apart). */
  async function replica(podName: string): Promise<ServiceProcess> {
    const started = await ServiceProcess.start(podName, {
      PROVIDER_TYPE: 'kfp',
      PROVIDERNAME: 'ops/kfp',
      PIPELINEROOTSTORAGE: 'gs://pipeline-root',
      OPERATORWEBHOOK: receiver.url,
      PARAMETERS_RESTKFPAPIURL: kfp.url,
      PARAMETERS_GRPCMETADATASTOREADDRESS: mlmd.address,
      PARAMETERS_KFPNAMESPACE: 'kubeflow',
      PARAMETERS_DEFAULTEXPERIMENT: 'Default',
      KUBECONFIG: await kube.writeKubeconfig(podName),
      HOSTNAME: podName,
      KFP_LEASE_DURATION_MS: String(lease.durationMs),
      KFP_LEASE_RENEW_DEADLINE_MS: String(lease.renewDeadlineMs),
      KFP_LEASE_RETRY_PERIOD_MS: String(lease.retryPeriodMs),
      EVENTS_CONCURRENCY: String(concurrency),
      EVENTS_RETRY_INITIAL_MS: '100',
      EVENTS_RETRY_MAX_MS: '500',
      SHUTDOWN_TIMEOUT_MS: '2000',
      LOG_LEVEL: 'warn',
    });
    replicas.push(started);
    return started;
  }

  const holder = (): string | undefined => kube.lease('provider-kfp', 'ops')?.['spec']['holderIdentity'];

  /** Waits until `podName` holds the lease and is the only one watching; resolves to when that was seen. */
  async function leadsAndWatches(podName: string, timeoutMs: number): Promise<number> {
    await eventually(
      `${podName} to hold the lease and watch alone (holder ${holder()}, watches ${kube.openWatchTokens.join()})`,
      () => holder() === podName && kube.openWatchTokens.join() === podName,
      timeoutMs,
      10,
    );
    return Date.now();
  }

  /** A KFP run finishing: its workflow turns Failed (no ML Metadata needed), the KFP run names it. */
  function finish(index: number): void {
    kfp.seedRun(`run-${index}`, {
      runtime_config: {
        parameters: { 'pipeline-name': 'pipe', 'pipeline-namespace': 'team', 'run-name': `r${index}`, 'run-namespace': 'team' },
      },
      created_at: '2024-05-01T10:00:00Z',
      finished_at: '2024-05-01T10:05:00Z',
    });
    kube.put(kfpWorkflow(`wf-${index}`, `run-${index}`, 'Failed'));
  }

  /** Finishes `count` workflows, one every `everyMs`, from `from` on. */
  async function finishSteadily(from: number, count: number, everyMs: number): Promise<void> {
    for (let index = from; index < from + count; index += 1) {
      finish(index);
      await sleep(everyMs);
    }
  }

  function deliveredRunIds(): string[] {
    return receiver.events.map((event) => (event as { runId: string }).runId).filter((runId) => runId.startsWith('run-'));
  }

  /** Every one of `count` runs delivered and marked published; at most `maxDuplicates` delivered twice. */
  async function expectEveryRunDelivered(count: number, maxDuplicates: number): Promise<void> {
    await eventually('every run to be delivered', () => new Set(deliveredRunIds()).size === count, 20_000, 20);
    await eventually(
      'every workflow to be marked published',
      () => [...Array(count).keys()].every((index) => kube.workflow(`wf-${index}`)?.['metadata']['labels'][publishedLabel] === 'true'),
      10_000,
      20,
    );
    // Late duplicates would come from a replica that kept watching; give them time to show up.
    await sleep(500);
    const runIds = deliveredRunIds();
    expect(runIds.length - new Set(runIds).size, `duplicates among ${runIds.length} deliveries`).to.be.at.most(maxDuplicates);
  }

  it('three replicas: one watches, all serve; after a SIGKILL and then a SIGTERM of the leader a standby takes over each time, losing nothing', async () => {
    const pods = ['kfp-a', 'kfp-b', 'kfp-c'];
    const started = await Promise.all(pods.map((pod) => replica(pod)));
    await Promise.all(started.map((process) => process.ready()));
    await eventually('a leader to watch', () => kube.openWatches === 1, 5000);
    const first = started.find((process) => process.name === holder())!;
    expect(kube.openWatchTokens).to.deep.equal([first.name]);
    for (const process of started) {
      expect(await process.metric('provider_leader'), process.name).to.equal(process === first ? 1 : 0);
      expect(await process.metric('provider_leader_transitions_total'), process.name).to.equal(process === first ? 1 : 0);
    }
    // A standby is useful: it serves the API, and the relay route delivers without the lease.
    const standby = started.find((process) => process !== first)!;
    const created = await send(standby.url, 'POST', '/resource/experiment', { json: { name: 'team/exp', version: '', description: '' } });
    expect(created.status).to.equal(201);
    kfp.seedRun('relayed', { runtime_config: { parameters: { 'run-name': 'relayed', 'run-namespace': 'team' } } });
    const relayed = await send(standby.url, 'POST', '/events/argo-workflows', { json: kfpWorkflow('wf-relayed', 'relayed', 'Failed') });
    expect(relayed.status).to.equal(200);
    expect(relayed.json).to.include({ outcome: 'delivered' });

    const flow = finishSteadily(0, 60, 40);
    await eventually('the first deliveries', () => deliveredRunIds().length >= 8, 10_000, 10);
    await first.kill('SIGKILL');
    const killedAt = Date.now();
    await eventually('a standby to hold the lease', () => holder() !== first.name, lease.durationMs + 5000, 10);
    const second = started.find((process) => process.name === holder())!;
    expect(await leadsAndWatches(second.name, 1000)).to.be.at.most(killedAt + lease.durationMs + 5000);

    await eventually('deliveries from the second leader', () => deliveredRunIds().length >= 30, 10_000, 10);
    const signalledAt = Date.now();
    const exit = second.kill('SIGTERM');
    const third = started.find((process) => process !== first && process !== second)!;
    expect(await leadsAndWatches(third.name, 5000)).to.be.at.most(signalledAt + 5000);
    expect(await exit).to.deep.equal({ code: 0, signal: null });

    await flow;
    // Only the crash leaves deliveries unmarked; the graceful stop settles its own.
    await expectEveryRunDelivered(60, concurrency);
    expect(new Set(kube.patches.map((patch) => patch.token))).to.deep.equal(new Set([first.name, second.name, third.name]));
    expect(kube.peakOpenWatches).to.equal(1);
    expect(await third.metric('provider_leader')).to.equal(1);
  });

  it('a rolling update: B starts while A leads, A gets SIGTERM once B is ready; nothing is lost', async () => {
    const a = await (await replica('kfp-a')).ready();
    await leadsAndWatches('kfp-a', 5000);
    const flow = finishSteadily(0, 40, 40);
    await sleep(300);
    const b = await (await replica('kfp-b')).ready();
    expect(holder()).to.equal('kfp-a');
    expect(await b.metric('provider_leader')).to.equal(0);
    const signalledAt = Date.now();
    const exit = a.kill('SIGTERM');
    const tookOverAt = await leadsAndWatches('kfp-b', 5000);
    expect(tookOverAt - signalledAt).to.be.at.most(5000);
    expect((await exit).code).to.equal(0);
    await flow;
    await expectEveryRunDelivered(40, concurrency);
    expect(kube.peakOpenWatches).to.equal(1);
  });
});
