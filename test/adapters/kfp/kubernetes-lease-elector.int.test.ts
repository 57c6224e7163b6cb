import { expect } from 'chai';
import { loadKubeConfig } from '../../../src/adapters/kfp/kube-config.js';
import { KubernetesLeaseElector } from '../../../src/adapters/kfp/kubernetes-lease-elector.js';
import { PrometheusMetrics } from '../../../src/adapters/metrics/prometheus-metrics.js';
import { systemClock } from '../../../src/adapters/system/system-clock.js';
import type { LeaderElectionTiming } from '../../../src/domain/leader-election.js';
import type { LeadershipListener } from '../../../src/ports/leader-elector.js';
import { eventually } from '../../support/eventually.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { FakeKubeApiServer } from './fake-kube-api-server.js';

const timing: LeaderElectionTiming = { leaseDurationMs: 1000, renewDeadlineMs: 700, retryPeriodMs: 100 };
const leaseName = 'provider-kfp';

/** What the elector told its work, with when, as seen by the test. */
class RecordingListener implements LeadershipListener {
  readonly changes: Array<{ leading: boolean; at: number; reason?: string }> = [];

  startedLeading(): void {
    this.changes.push({ leading: true, at: Date.now() });
  }

  stoppedLeading(reason: string): void {
    this.changes.push({ leading: false, at: Date.now(), reason });
  }

  get leading(): boolean {
    return this.changes.at(-1)?.leading ?? false;
  }
}

async function metricValue(metrics: PrometheusMetrics, name: string): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)!.get();
  return metric.values[0]?.value ?? Number.NaN;
}

describe('KubernetesLeaseElector against the in-test API server', () => {
  let kube: FakeKubeApiServer;
  let kubeconfig: string;
  const electors: KubernetesLeaseElector[] = [];

  function candidate(identity: string, logger = new RecordingLogger()) {
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    const listener = new RecordingListener();
    const elector = new KubernetesLeaseElector({
      kubeConfig: loadKubeConfig(kubeconfig),
      lease: { namespace: 'ops', name: leaseName },
      identity,
      timing,
      clock: systemClock,
      logger,
      metrics,
      random: () => 0.5,
    });
    electors.push(elector);
    return { elector, listener, metrics, logger, start: () => elector.start(listener) };
  }

  const holder = (): unknown => kube.lease(leaseName, 'ops')?.['spec']['holderIdentity'];

  beforeEach(async () => {
    kube = await new FakeKubeApiServer('ops').start();
    kubeconfig = await kube.writeKubeconfig();
  });

  afterEach(async () => {
    for (const elector of electors.splice(0)) await elector.stop();
    await kube.stop();
  });

  it('creates the lease when there is none, leads, and renews every retry period with the resourceVersion it read', async () => {
    const a = candidate('pod-a');
    await a.start();
    expect(a.elector.isLeader()).to.equal(true);
    expect(a.listener.changes.map((change) => change.leading)).to.deep.equal([true]);
    const created = kube.lease(leaseName, 'ops')!;
    expect(created['spec']).to.include({ holderIdentity: 'pod-a', leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(created['spec']['renewTime']).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(kube.leaseRequests.map((request) => request.method)).to.deep.equal(['GET', 'POST']);

    await eventually('three renewals', () => kube.leaseRequests.filter((request) => request.method === 'PUT').length >= 3, 2000);
    const puts = kube.leaseRequests.filter((request) => request.method === 'PUT');
    const versions = puts.map((request) => (request.body as { metadata: { resourceVersion?: string } }).metadata.resourceVersion);
    expect(versions.every((version) => typeof version === 'string' && version !== '')).to.equal(true);
    expect(new Set(versions).size).to.equal(versions.length);
    expect(kube.lease(leaseName, 'ops')!['spec']['acquireTime']).to.equal(created['spec']['acquireTime']);
    expect(await metricValue(a.metrics, 'provider_leader')).to.equal(1);
    expect(await metricValue(a.metrics, 'provider_leader_transitions_total')).to.equal(1);
  });

  it('keeps a candidate waiting while the leader renews, and lets it take over at once when the leader stops', async () => {
    const a = candidate('pod-a');
    const b = candidate('pod-b');
    await a.start();
    await b.start();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(b.elector.isLeader()).to.equal(false);
    expect(b.listener.changes).to.deep.equal([]);
    expect(await metricValue(b.metrics, 'provider_leader')).to.equal(0);

    await a.elector.stop();
    const releasedAt = Date.now();
    expect(a.listener.changes.map((change) => [change.leading, change.reason])).to.deep.equal([
      [true, undefined],
      [false, 'stopping'],
    ]);
    expect(a.logger.at('info').map((line) => line.message)).to.include('released the lease');
    await eventually('pod-b to lead', () => b.listener.leading, 1000);
    // A released lease is free at the next attempt: at most 2.2 retry periods, not the lease duration.
    expect(Date.now() - releasedAt).to.be.below(500);
    expect(kube.lease(leaseName, 'ops')!['spec']).to.include({ holderIdentity: 'pod-b', leaseTransitions: 1 });
  });

  it('takes over from a holder that stopped renewing once the lease duration has passed since it saw the last change', async () => {
    kube.putLease(leaseName, {
      holderIdentity: 'crashed-pod',
      leaseDurationSeconds: 1,
      renewTime: '2000-01-01T00:00:00.000000Z',
      leaseTransitions: 4,
    });
    const b = candidate('pod-b');
    const startedAt = Date.now();
    await b.start();
    expect(b.elector.isLeader()).to.equal(false);
    await eventually('pod-b to lead', () => b.listener.leading, 3000);
    // The old renewTime does not count: the second of the lease runs from pod-b's first read.
    expect(Date.now() - startedAt).to.be.within(1000, 1600);
    expect(kube.lease(leaseName, 'ops')!['spec']).to.include({ holderIdentity: 'pod-b', leaseTransitions: 5 });
    expect(b.logger.at('info').find((line) => line.message === 'became the leader')?.fields).to.include({ previousHolder: 'crashed-pod' });
  });

  for (const outage of ['error', 'hang'] as const) {
    it(`stops leading at the renew deadline when renewals ${outage === 'error' ? 'fail' : 'hang'}, before the lease can expire, and leads again after`, async () => {
      const a = candidate('pod-a');
      await a.start();
      await eventually('a renewal', () => kube.leaseRequests.some((request) => request.method === 'PUT'), 2000);
      kube.leaseOutage = outage;
      const outageFrom = Date.now();
      await eventually('pod-a to step down', () => !a.listener.leading, 2000);
      const steppedDownAt = a.listener.changes.at(-1)!.at;
      // The last renewal started at most one retry period (plus its own round trip) before the outage.
      expect(steppedDownAt - outageFrom).to.be.within(timing.renewDeadlineMs - timing.retryPeriodMs - 50, timing.renewDeadlineMs + 50);
      expect(steppedDownAt - outageFrom).to.be.below(timing.leaseDurationMs - 200);
      expect(a.listener.changes.at(-1)!.reason).to.equal('the lease could not be renewed within the renew deadline');
      expect(await metricValue(a.metrics, 'provider_leader')).to.equal(0);

      kube.leaseOutage = undefined;
      await eventually('pod-a to lead again', () => a.listener.leading, 3000);
      expect(holder()).to.equal('pod-a');
      expect(await metricValue(a.metrics, 'provider_leader_transitions_total')).to.equal(2);
    });
  }

  it('steps down at once when another replica wins the write (409 Conflict)', async () => {
    const a = candidate('pod-a');
    await a.start();
    kube.interposeLeaseWrite = { holderIdentity: 'pod-z', leaseDurationSeconds: 1, leaseTransitions: 9 };
    await eventually('pod-a to step down', () => !a.listener.leading, 1000);
    expect(a.listener.changes.at(-1)!.reason).to.equal('another replica wrote the lease first');
    expect(holder()).to.equal('pod-z');
    // pod-z never renews: after its second pod-a takes the lease back.
    await eventually('pod-a to lead again', () => a.listener.leading, 3000);
    expect(kube.lease(leaseName, 'ops')!['spec']).to.include({ holderIdentity: 'pod-a', leaseTransitions: 10 });
  });

  it('steps down when it reads another holder', async () => {
    const a = candidate('pod-a');
    await a.start();
    kube.putLease(leaseName, { holderIdentity: 'pod-y', leaseDurationSeconds: 1, leaseTransitions: 1 }, 'ops');
    await eventually('pod-a to step down', () => !a.listener.leading, 1000);
    expect(a.listener.changes.at(-1)!.reason).to.equal('the lease is held by pod-y');
  });

  it('rejects its start naming the lease and the permissions it needs when the API refuses', async () => {
    kube.leaseOutage = 'forbidden';
    const a = candidate('pod-a');
    const failure = await a.start().then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message)
      .to.contain('cannot hold the leader election on Lease ops/provider-kfp')
      .and.contain('forbidden')
      .and.contain('get, create and update on leases (coordination.k8s.io) in namespace ops');
    expect(a.elector.isLeader()).to.equal(false);
  });

  it('as a standby writes nothing when it stops', async () => {
    kube.putLease(leaseName, { holderIdentity: 'pod-a', leaseDurationSeconds: 60, leaseTransitions: 0 }, 'ops');
    const b = candidate('pod-b');
    await b.start();
    await b.elector.stop();
    expect(kube.leaseRequests.map((request) => request.method)).to.deep.equal(['GET']);
    expect(holder()).to.equal('pod-a');
  });
});
