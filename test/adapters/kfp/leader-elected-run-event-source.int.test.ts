import { readFile, writeFile } from 'node:fs/promises';
import { expect } from 'chai';
import { ArgoWorkflowEventSource } from '../../../src/adapters/kfp/argo-workflow-event-source.js';
import { loadKubeConfig } from '../../../src/adapters/kfp/kube-config.js';
import { KubernetesLeaseElector } from '../../../src/adapters/kfp/kubernetes-lease-elector.js';
import { LeaderElectedRunEventSource } from '../../../src/adapters/kfp/leader-elected-run-event-source.js';
import { silentLogger } from '../../../src/adapters/logging/silent-logger.js';
import { PrometheusMetrics } from '../../../src/adapters/metrics/prometheus-metrics.js';
import { systemClock } from '../../../src/adapters/system/system-clock.js';
import type { RunEventMessage } from '../../../src/ports/run-event-source.js';
import { eventually, freePort } from '../../support/eventually.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { FakeKubeApiServer, kfpWorkflow } from './fake-kube-api-server.js';

const timing = { leaseDurationMs: 1000, renewDeadlineMs: 700, retryPeriodMs: 100 };
const leaseName = 'provider-kfp';
const publishedLabel = 'pipelines.kubeflow.org/events-published';

describe('LeaderElectedRunEventSource: the Argo workflow watch on the replica holding the Lease', () => {
  let kube: FakeKubeApiServer;
  const started: LeaderElectedRunEventSource[] = [];
  const iterators: Array<AsyncIterator<RunEventMessage>> = [];

  /**
   * One replica: its own kubeconfig (token = identity), elector and watch factory; the watches it
   * builds use `sourceKubeconfigs` in turn (the last one from then on), by default its own.
   */
  async function replica(
    identity: string,
    options: { sourceKubeconfigs?: string[]; logger?: RecordingLogger; reconnectBudgetMs?: number } = {},
  ) {
    const kubeconfig = await kube.writeKubeconfig(identity);
    const files = options.sourceKubeconfigs ?? [kubeconfig];
    let sources = 0;
    const source = new LeaderElectedRunEventSource({
      elector: new KubernetesLeaseElector({
        kubeConfig: loadKubeConfig(kubeconfig),
        lease: { namespace: 'kubeflow', name: leaseName },
        identity,
        timing,
        clock: systemClock,
        logger: options.logger ?? silentLogger,
        metrics: new PrometheusMetrics({ defaultMetrics: false }),
      }),
      createSource: () => {
        const file = files[Math.min(sources, files.length - 1)]!;
        sources += 1;
        return new ArgoWorkflowEventSource({
          kubeConfig: loadKubeConfig(file),
          namespace: 'kubeflow',
          logger: silentLogger,
          clock: systemClock,
          ...(options.reconnectBudgetMs ? { reconnectBudgetMs: options.reconnectBudgetMs, restartDelayMs: 20 } : {}),
        });
      },
      logger: options.logger ?? silentLogger,
      restartDelayMs: 50,
    });
    started.push(source);
    const iterator = source.messages()[Symbol.asyncIterator]();
    iterators.push(iterator);
    return { source, iterator, sources: () => sources };
  }

  const holder = (): unknown => kube.lease(leaseName)?.['spec']['holderIdentity'];

  beforeEach(async () => {
    kube = await new FakeKubeApiServer('kubeflow').start();
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((source) => source.stop()));
    for (const iterator of iterators.splice(0)) await iterator.return?.();
    await kube.stop();
  });

  it('reports the leading watch’s health, a standby as connected, and keeps the failure of a watch that gave up', async () => {
    // The watch gives up (150 ms after it lost the API server) before the leader steps down (the
    // 700 ms renew deadline): the failure stays after the term, since a restart is still due.
    const a = await replica('replica-a', { reconnectBudgetMs: 150 });
    const b = await replica('replica-b');
    await a.source.start();
    await eventually('the leader to watch', () => kube.openWatches === 1);
    await b.source.start();
    expect(a.source.health()).to.deep.equal({ connected: true, reconnects: 0 });
    expect(b.source.health()).to.deep.equal({ connected: true, reconnects: 0 });
    await kube.pause();
    await eventually('the watch to give up', () => a.source.health().failure !== undefined, 3000);
    expect(a.source.health().failure).to.match(/beyond the reconnect budget of 150 ms: watching Argo workflows failed/);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(a.source.health())
      .to.include({ connected: false })
      .and.to.have.property('failure')
      .that.matches(/reconnect budget/);
    expect(b.source.health(), 'a standby watches nothing').to.deep.equal({ connected: true, reconnects: 0 });
    await kube.resume();
  });

  it('watches only on the leader; a standby starts without watching and takes the watch over when the leader stops', async () => {
    const a = await replica('replica-a');
    const b = await replica('replica-b');
    await a.source.start();
    await eventually('the leader to watch', () => kube.openWatches === 1);
    await b.source.start();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(kube.openWatchTokens).to.deep.equal(['replica-a']);
    expect(kube.listRequests.map((request) => request.token)).to.deep.equal(['replica-a']);

    await a.source.stop();
    expect(holder()).to.not.equal('replica-a');
    await eventually('the standby to watch', () => kube.openWatchTokens.join() === 'replica-b', 2000);
    kube.put(kfpWorkflow('wf-1', 'run-1', 'Succeeded'));
    const next = await b.iterator.next();
    expect(next.value?.id).to.equal('kubeflow/wf-1');
    await next.value!.ack();
    expect(kube.patches.map((patch) => patch.token)).to.deep.equal(['replica-b']);
    expect(kube.peakOpenWatches).to.equal(1);
  });

  it('releases, never acknowledges, a message handed out in a term that ended; the next term hands it out again', async () => {
    const logger = new RecordingLogger();
    const a = await replica('replica-a', { logger });
    kube.put(kfpWorkflow('wf-2', 'run-2', 'Failed'));
    await a.source.start();
    const first = await a.iterator.next();
    expect(first.value?.id).to.equal('kubeflow/wf-2');

    kube.leaseOutage = 'error';
    await eventually('the watch to stop when leadership ends', () => kube.openWatches === 0, 2000);
    expect(logger.at('info').map((line) => line.message)).to.include(
      'leadership ended with run events in flight; they are left to the next leader',
    );
    await first.value!.ack();
    expect(kube.patches).to.have.length(0);
    expect(kube.workflow('wf-2')!['metadata']['labels'][publishedLabel]).to.equal(undefined);

    kube.leaseOutage = undefined;
    const again = await a.iterator.next();
    expect(again.value?.id).to.equal('kubeflow/wf-2');
    await again.value!.ack();
    expect(kube.workflow('wf-2')!['metadata']['labels'][publishedLabel]).to.equal('true');
    expect(a.sources()).to.equal(2);
  });

  it('leaves no watch of an ended term behind, not even one the informer reopens after its reconnect delay', async () => {
    const a = await replica('replica-a');
    await a.source.start();
    await eventually('the watch', () => kube.openWatches === 1);
    // The first reconnect is immediate; the next one waits a second, long enough for the term to end meanwhile.
    kube.endWatches();
    await eventually('the immediate reconnect', () => kube.openWatches === 1 && kube.watchRequests.length === 2, 2000);
    kube.endWatches();
    kube.leaseOutage = 'error';
    // The term ends at the renew deadline (0.7 s), before the informer reconnects (1 s).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(kube.openWatches).to.equal(0);
    kube.leaseOutage = undefined;
    await eventually('the next term to watch', () => kube.openWatches === 1, 3000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(kube.openWatches).to.equal(1);
    expect(kube.peakOpenWatches).to.equal(1);
  });

  it('on stop, closes the watch at once, lets the leader settle what is in flight, and only then releases the lease', async () => {
    const a = await replica('replica-a');
    kube.put(kfpWorkflow('wf-3', 'run-3', 'Succeeded'));
    await a.source.start();
    const message = (await a.iterator.next()).value!;
    let stopped = false;
    const stopping = a.source.stop().then(() => (stopped = true));
    await eventually('the watch to close', () => kube.openWatches === 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stopped).to.equal(false);
    expect(holder()).to.equal('replica-a');

    await message.ack();
    await stopping;
    expect(holder()).to.equal('');
    const patchAt = kube.requests.findIndex((request) => request.method === 'PATCH');
    const releaseAt = kube.requests.findIndex(
      (request) => request.method === 'PUT' && (request.body as { spec: { holderIdentity: string } }).spec.holderIdentity === '',
    );
    expect(patchAt).to.be.greaterThan(-1);
    expect(releaseAt).to.be.greaterThan(patchAt);
    expect((await a.iterator.next()).done).to.equal(true);
  });

  /** A kubeconfig naming a port nobody listens on: a watch built with it cannot list. */
  async function unreachableKubeconfig(): Promise<string> {
    const file = await kube.writeKubeconfig('nobody');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.replace(/127\.0\.0\.1:\d+/, `127.0.0.1:${await freePort()}`));
    return file;
  }

  it('fails its start when the watch cannot start on the first term, and lets the lease go', async () => {
    const a = await replica('replica-a', { sourceKubeconfigs: [await unreachableKubeconfig()] });
    const failure = await a.source.start().then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).to.contain('cannot list Argo workflows in namespace kubeflow');
    expect(holder()).to.equal('');
  });

  it('retries a watch that fails to start in a later term, with a fresh source each time', async () => {
    const a = await replica('replica-a');
    await a.source.start();
    const b = await replica('replica-b', { sourceKubeconfigs: [await unreachableKubeconfig(), await kube.writeKubeconfig('replica-b')] });
    await b.source.start();
    await a.source.stop();
    await eventually('replica-b to watch after a failed start', () => kube.openWatchTokens.join() === 'replica-b', 3000);
    expect(b.sources()).to.be.at.least(2);
    expect(holder()).to.equal('replica-b');
  });
});
