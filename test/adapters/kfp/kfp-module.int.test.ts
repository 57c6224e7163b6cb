import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Container } from 'inversify';
import { ArgoWorkflowEventSource } from '../../../src/adapters/kfp/argo-workflow-event-source.js';
import { InMemoryRunEventSource } from '../../../src/adapters/memory/in-memory-run-event-source.js';
import { kfpModule } from '../../../src/adapters/kfp/kfp-module.js';
import { LeaderElectedRunEventSource } from '../../../src/adapters/kfp/leader-elected-run-event-source.js';
import { silentLogger } from '../../../src/adapters/logging/silent-logger.js';
import { systemClock } from '../../../src/adapters/system/system-clock.js';
import { type SingleEventProcessor, SingleEventProcessor as SingleEventProcessorToken } from '../../../src/ports/single-event-processor.js';
import { loadServiceConfig, narrowServiceConfig } from '../../../src/config/service-config.js';
import { Clock } from '../../../src/ports/clock.js';
import { HttpRouteContribution } from '../../../src/ports/http-route-contribution.js';
import { Logger } from '../../../src/ports/logger.js';
import { Provider } from '../../../src/ports/provider.js';
import { RunEventNormaliser } from '../../../src/ports/run-event-normaliser.js';
import { RunEventSource } from '../../../src/ports/run-event-source.js';
import { FakeKubeApiServer, kfpWorkflow } from './fake-kube-api-server.js';
import { FakeKfpServer } from './fake-kfp-server.js';
import { kfpTestEnvironment } from './kfp-test-environment.js';

describe('kfpModule', () => {
  let kfp: FakeKfpServer;
  let kube: FakeKubeApiServer;
  let dir: string;
  let container: Container;

  function containerFor(env: Record<string, string>): Container {
    const config = narrowServiceConfig(loadServiceConfig({ ...kfpTestEnvironment(kfp.url), ...env }), 'kfp');
    const built = new Container();
    built.bind(Logger).toConstantValue(silentLogger);
    built.bind(Clock).toConstantValue(systemClock);
    const processor: SingleEventProcessor = { processOnce: async () => 'ignored' };
    built.bind(SingleEventProcessorToken).toConstantValue(processor);
    built.load(kfpModule(config));
    return built;
  }

  beforeEach(async () => {
    kfp = await new FakeKfpServer().start();
    kube = await new FakeKubeApiServer().start();
    dir = await mkdtemp(join(tmpdir(), 'kfp-module-'));
  });

  afterEach(async () => {
    await container?.unbindAllAsync();
    await Promise.all([kfp.stop(), kube.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('binds the provider, the normaliser, the leader-elected watch source (from KUBECONFIG) and the relay route', async () => {
    container = containerFor({
      KUBECONFIG: await kube.writeKubeconfig(),
      PARAMETERS_KFPNAMESPACE: 'kubeflow',
      HOSTNAME: 'provider-kfp-7d9f-x2',
    });
    const provider = await container.getAsync<Provider>(Provider);
    await provider.experiment.create!({ name: { namespace: 'team', name: 'exp' }, version: '', description: '' });
    expect(kfp.sequence).to.deep.equal(['POST /experiments']);
    expect(kfp.requests[0]!.headers['authorization']).to.equal(undefined);
    expect(await container.getAsync(RunEventNormaliser)).to.have.property('normalise');
    const source = await container.getAsync<RunEventSource>(RunEventSource);
    expect(source).to.be.instanceOf(LeaderElectedRunEventSource);
    await source.start();
    // The Lease is named after the provider, in its namespace; the pod name holds it.
    expect(kube.lease('provider-kfp', 'ops')?.['spec']['holderIdentity']).to.equal('provider-kfp-7d9f-x2');
    expect(kube.listRequests[0]!.path).to.equal('/apis/argoproj.io/v1alpha1/namespaces/kubeflow/workflows');
    const routes = await container.getAllAsync<HttpRouteContribution>(HttpRouteContribution);
    expect(routes.map((route) => `${route.method} ${route.path}`)).to.deep.equal(['POST /events/argo-workflows']);
    await source.stop();
  });

  it('with KFP_LEADER_ELECTION=false watches on every replica, holding no lease', async () => {
    container = containerFor({ KUBECONFIG: await kube.writeKubeconfig(), KFP_LEADER_ELECTION: 'false' });
    const source = await container.getAsync<RunEventSource>(RunEventSource);
    expect(source).to.be.instanceOf(ArgoWorkflowEventSource);
    await source.start();
    expect(kube.leaseRequests).to.have.length(0);
    expect(kube.listRequests).to.have.length(1);
    await source.stop();
  });

  it('puts the Lease where KFP_LEASE_NAME and KFP_LEASE_NAMESPACE say, held by KFP_LEASE_HOLDER_IDENTITY', async () => {
    container = containerFor({
      KUBECONFIG: await kube.writeKubeconfig(),
      KFP_LEASE_NAME: 'argo-watch',
      KFP_LEASE_NAMESPACE: 'kubeflow',
      KFP_LEASE_HOLDER_IDENTITY: 'replica-1',
      HOSTNAME: 'ignored',
    });
    const source = await container.getAsync<RunEventSource>(RunEventSource);
    await source.start();
    expect(kube.lease('argo-watch', 'kubeflow')?.['spec']['holderIdentity']).to.equal('replica-1');
    await source.stop();
    expect(kube.lease('argo-watch', 'kubeflow')?.['spec']['holderIdentity']).to.equal('');
  });

  it('without PARAMETERS_KFPNAMESPACE watches the workflows of every namespace', async () => {
    container = containerFor({ KUBECONFIG: await kube.writeKubeconfig() });
    const source = await container.getAsync<RunEventSource>(RunEventSource);
    await source.start();
    expect(kube.listRequests.map((request) => request.path)).to.deep.equal(['/apis/argoproj.io/v1alpha1/workflows']);
    await source.stop();
  });

  it('in relay mode needs no Kubernetes access: no watch, only the relay route', async () => {
    container = containerFor({ KUBECONFIG: join(dir, 'no-such-kubeconfig'), PARAMETERS_KFPWORKFLOWEVENTS: 'relay' });
    const source = await container.getAsync<RunEventSource>(RunEventSource);
    expect(source).to.be.instanceOf(InMemoryRunEventSource);
    await source.start();
    expect(kube.listRequests).to.have.length(0);
    const routes = await container.getAllAsync<HttpRouteContribution>(HttpRouteContribution);
    expect(routes.map((route) => `${route.method} ${route.path}`)).to.deep.equal(['POST /events/argo-workflows']);
    await source.stop();
  });

  it('outside a cluster and without KUBECONFIG, refuses to watch and points to relay mode', async () => {
    container = containerFor({});
    const error = await container.getAsync<RunEventSource>(RunEventSource).then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(error?.message)
      .to.contain('no in-cluster configuration')
      .and.contain('no KUBECONFIG')
      .and.contain('PARAMETERS_KFPWORKFLOWEVENTS=relay');
    expect(kube.listRequests).to.have.length(0);
  });

  it('in multi-user mode sends the token from KFP_TOKEN_FILE, and refuses to start without it', async () => {
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'secret\n');
    container = containerFor({ PARAMETERS_KFPMULTIUSERMODE: 'true', KFP_TOKEN_FILE: tokenFile });
    const provider = await container.getAsync<Provider>(Provider);
    await provider.runschedule.delete!('gone');
    expect(kfp.requests[0]!.headers['authorization']).to.equal('Bearer secret');

    const withoutToken = containerFor({ PARAMETERS_KFPMULTIUSERMODE: 'true', KFP_TOKEN_FILE: join(dir, 'missing') });
    const error = await withoutToken.getAsync<Provider>(Provider).then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(error?.message).to.contain('KFP multi-user mode needs a bearer token').and.contain(join(dir, 'missing'));
  });

  it('opens the KFP client again after a failed opening instead of remembering the failure', async () => {
    const tokenFile = join(dir, 'late-token');
    // Not `container`: its failed provider stays cached and would fail the unbinding after the test.
    const retrying = containerFor({ PARAMETERS_KFPMULTIUSERMODE: 'true', KFP_TOKEN_FILE: tokenFile });
    const failure = await retrying.getAsync<Provider>(Provider).then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(failure?.message).to.contain('KFP multi-user mode needs a bearer token');
    // The normaliser shares the provider's client, so resolving it opens the client anew.
    await writeFile(tokenFile, 'late\n');
    const normaliser = await retrying.getAsync<RunEventNormaliser>(RunEventNormaliser);
    await normaliser.normalise(kfpWorkflow('wf-late', 'run-late', 'Succeeded'));
    expect(kfp.requests[0]!.headers['authorization']).to.equal('Bearer late');
    await retrying.unbindAsync(RunEventNormaliser);
  });
});
