import { expect } from 'chai';
import { ArgoWorkflowEventSource } from '../../../src/adapters/kfp/argo-workflow-event-source.js';
import { loadKubeConfig } from '../../../src/adapters/kfp/kube-config.js';
import { KfpApiClient } from '../../../src/adapters/kfp/kfp-api-client.js';
import { KfpRestTransport } from '../../../src/adapters/kfp/kfp-rest-transport.js';
import { KfpRunEventNormaliser } from '../../../src/adapters/kfp/kfp-run-event-normaliser.js';
import { MlmdGrpcClient } from '../../../src/adapters/kfp/mlmd-grpc-client.js';
import { silentLogger } from '../../../src/adapters/logging/silent-logger.js';
import { PrometheusMetrics } from '../../../src/adapters/metrics/prometheus-metrics.js';
import { WebhookRunCompletionSink } from '../../../src/adapters/operator/webhook-run-completion-sink.js';
import { systemClock } from '../../../src/adapters/system/system-clock.js';
import { EventPipeline } from '../../../src/application/event-pipeline.js';
import { RunEventAttempt } from '../../../src/application/run-event-attempt.js';
import { RecordingWebhookReceiver } from '../../../src/testing/recording-webhook-receiver.js';
import { eventually } from '../../support/eventually.js';
import { FakeKfpServer } from './fake-kfp-server.js';
import { FakeMlmdServer, realisticComponents, realisticMlmdRun } from './fake-mlmd-server.js';
import { FakeKubeApiServer, kfpWorkflow } from './fake-kube-api-server.js';

const publishedPatch = [{ op: 'add', path: '/metadata/labels/pipelines.kubeflow.org~1events-published', value: 'true' }];

describe('ArgoWorkflowEventSource with the event pipeline, KFP, ML Metadata and a webhook', () => {
  let kube: FakeKubeApiServer;
  let kfp: FakeKfpServer;
  let mlmd: FakeMlmdServer;
  let webhook: RecordingWebhookReceiver;
  let mlmdClient: MlmdGrpcClient;
  let kubeconfig: string;
  let pipeline: EventPipeline | undefined;

  function seedRun(runId: string, contextId: string): void {
    kfp.seedRun(runId, {
      runtime_config: {
        parameters: { 'pipeline-name': 'pipe', 'pipeline-namespace': 'team', 'run-name': 'train', 'run-namespace': 'team', epochs: 3 },
      },
      created_at: '2024-05-01T10:00:00Z',
      finished_at: '2024-05-01T10:05:00Z',
    });
    mlmd.runs.set(runId, realisticMlmdRun(contextId));
  }

  async function startPipeline(
    relistIntervalMs = 60_000,
    namespace = 'kubeflow',
    kubeConfig = loadKubeConfig(kubeconfig),
    reconnectBudgetMs = 60_000,
  ): Promise<ArgoWorkflowEventSource> {
    const source = new ArgoWorkflowEventSource({
      kubeConfig,
      namespace,
      logger: silentLogger,
      clock: systemClock,
      relistIntervalMs,
      restartDelayMs: 50,
      restartMaxDelayMs: 400,
      reconnectBudgetMs,
    });
    const normaliser = new KfpRunEventNormaliser({
      api: new KfpApiClient(new KfpRestTransport({ baseUrl: kfp.url, timeoutMs: 2000 })),
      mlmd: mlmdClient,
      provider: { namespace: 'ops', name: 'kfp' },
      clock: systemClock,
    });
    const metrics = new PrometheusMetrics({ defaultMetrics: false });
    const sink = new WebhookRunCompletionSink({ url: webhook.url, timeoutMs: 2000 });
    pipeline = new EventPipeline(
      {
        source,
        processor: new RunEventAttempt({ normaliser, sink, metrics, logger: silentLogger }),
        metrics,
        logger: silentLogger,
        clock: systemClock,
      },
      { concurrency: 2, maxAgeMs: 60_000, retryInitialMs: 50, retryMaxMs: 200 },
    );
    await pipeline.start();
    return source;
  }

  beforeEach(async () => {
    kube = await new FakeKubeApiServer().start();
    kubeconfig = await kube.writeKubeconfig();
    kfp = await new FakeKfpServer().start();
    mlmd = await new FakeMlmdServer().start();
    webhook = await new RecordingWebhookReceiver().start();
    mlmdClient = new MlmdGrpcClient({ address: mlmd.address, timeoutMs: 2000 });
  });

  afterEach(async () => {
    await pipeline?.stop(500);
    pipeline = undefined;
    mlmdClient.close();
    await Promise.all([kube.stop(), kfp.stop(), mlmd.stop(), webhook.stop()]);
  });

  it('delivers a workflow that finishes while watched, then labels it published with an add patch', async () => {
    kube.put(kfpWorkflow('wf-1', 'run-1', 'Running'));
    seedRun('run-1', '1');
    await startPipeline();
    await eventually('the watch', () => kube.openWatches === 1);
    expect(kube.listRequests).to.have.length(1);
    expect(kube.listRequests[0]!.query['labelSelector']).to.equal('pipeline/runid,pipelines.kubeflow.org/events-published!=true');

    kube.put(kfpWorkflow('wf-1', 'run-1', 'Succeeded'));
    await webhook.waitForRequests(1);
    expect(webhook.requests[0]!.headers['content-type']).to.equal('application/json');
    expect(webhook.events[0]).to.deep.equal({
      status: 'succeeded',
      pipelineName: 'team/pipe',
      runName: 'team/train',
      runId: 'run-1',
      runStartTime: '2024-05-01T10:00:00.000Z',
      runEndTime: '2024-05-01T10:05:00.000Z',
      pipelineComponents: realisticComponents,
      provider: 'ops/kfp',
    });
    await eventually('the patch', () => kube.patches.length === 1);
    expect(kube.patches[0]).to.deep.include({
      path: '/apis/argoproj.io/v1alpha1/namespaces/kubeflow/workflows/wf-1',
      contentType: 'application/json-patch+json',
      body: publishedPatch,
    });
    expect(kube.workflow('wf-1')!['metadata']['labels']['pipelines.kubeflow.org/events-published']).to.equal('true');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(webhook.requests).to.have.length(1);
  });

  it('ignores running workflows and workflows KFP did not start', async () => {
    kube.put(kfpWorkflow('running', 'run-2', 'Running'));
    kube.put(kfpWorkflow('pending', 'run-3', 'Pending'));
    await startPipeline();
    await eventually('the watch', () => kube.openWatches === 1);
    kube.put({
      ...kfpWorkflow('foreign', '', 'Succeeded'),
      metadata: { name: 'foreign', labels: { 'workflows.argoproj.io/phase': 'Succeeded' } },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(webhook.requests).to.have.length(0);
    expect(kube.patches).to.have.length(0);
  });

  it('keeps retrying while the webhook fails, and labels the workflow only once delivered', async () => {
    seedRun('run-4', '4');
    webhook.answerWith((_request, index) => (index < 2 ? 503 : index === 2 ? 'close' : 200));
    kube.put(kfpWorkflow('wf-4', 'run-4', 'Failed'));
    await startPipeline();
    await webhook.waitForRequests(4);
    expect(webhook.events.map((event) => (event as { status: string }).status)).to.deep.equal(['failed', 'failed', 'failed', 'failed']);
    await eventually('the patch', () => kube.patches.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(webhook.requests).to.have.length(4);
  });

  it('after a restart delivers workflows that finished while it was down, skipping published ones', async () => {
    seedRun('run-5', '5');
    seedRun('run-6', '6');
    kube.put(kfpWorkflow('wf-5', 'run-5', 'Succeeded'));
    kube.put(kfpWorkflow('wf-6', 'run-6', 'Error'));
    kube.put(kfpWorkflow('wf-old', 'run-old', 'Succeeded', { 'pipelines.kubeflow.org/events-published': 'true' }));
    await startPipeline();
    await webhook.waitForRequests(2);
    const delivered = webhook.events.map((event) => [(event as { runId: string }).runId, (event as { status: string }).status]);
    expect(delivered).to.have.deep.members([
      ['run-5', 'succeeded'],
      ['run-6', 'failed'],
    ]);
    await eventually('both patches', () => kube.patches.length === 2);
    expect(kube.patches.map((patch) => patch.path.split('/').pop())).to.have.members(['wf-5', 'wf-6']);
  });

  it('re-lists after the watch expires (410) and delivers what finished in the gap', async () => {
    seedRun('run-7', '7');
    kube.put(kfpWorkflow('wf-7', 'run-7', 'Running'));
    await startPipeline();
    await eventually('the watch', () => kube.openWatches === 1);
    const listsBefore = kube.listRequests.length;
    kube.expireWatches();
    kube.put(kfpWorkflow('wf-7', 'run-7', 'Succeeded'));
    await webhook.waitForRequests(1);
    expect((webhook.events[0] as { runId: string }).runId).to.equal('run-7');
    expect(kube.listRequests.length).to.be.greaterThan(listsBefore);
    await eventually('the patch', () => kube.patches.length === 1);
    await eventually('a new watch', () => kube.openWatches === 1);
  });

  it('resumes a cleanly ended watch from its version, and re-lists when resumption answers HTTP 410', async () => {
    seedRun('run-8', '8');
    await startPipeline();
    await eventually('the watch', () => kube.openWatches === 1);
    kube.endWatches();
    await eventually('a resumed watch', () => kube.openWatches === 1 && kube.watchRequests.length === 2);
    expect(kube.listRequests).to.have.length(1);
    // The watch ends, history is compacted and the workflow finishes before the client resumes.
    kube.endWatches();
    kube.compact();
    kube.put(kfpWorkflow('wf-8', 'run-8', 'Succeeded'));
    await webhook.waitForRequests(1);
    expect(kube.listRequests.length).to.be.greaterThan(1);
  });

  it('with namespace "" lists and watches every namespace and labels a workflow in a profile namespace', async () => {
    const inNamespace = (namespace: string, workflow: Record<string, any>): Record<string, any> => ({
      ...workflow,
      metadata: { ...workflow['metadata'], namespace },
    });
    seedRun('run-11', '11');
    seedRun('run-12', '12');
    kube.put(inNamespace('profile-alice', kfpWorkflow('wf-11', 'run-11', 'Succeeded')));
    kube.put(inNamespace('profile-bob', kfpWorkflow('wf-12', 'run-12', 'Running')));
    await startPipeline(60_000, '');
    await eventually('the watch', () => kube.openWatches === 1);
    expect(kube.listRequests.map((request) => request.path)).to.deep.equal(['/apis/argoproj.io/v1alpha1/workflows']);
    expect(kube.watchRequests.map((request) => request.path)).to.deep.equal(['/apis/argoproj.io/v1alpha1/workflows']);

    kube.put(inNamespace('profile-bob', kfpWorkflow('wf-12', 'run-12', 'Failed')));
    await webhook.waitForRequests(2);
    const delivered = webhook.events.map((event) => [(event as { runId: string }).runId, (event as { status: string }).status]);
    expect(delivered).to.have.deep.members([
      ['run-11', 'succeeded'],
      ['run-12', 'failed'],
    ]);
    await eventually('both patches', () => kube.patches.length === 2);
    expect(kube.patches.map((patch) => patch.path)).to.have.members([
      '/apis/argoproj.io/v1alpha1/namespaces/profile-alice/workflows/wf-11',
      '/apis/argoproj.io/v1alpha1/namespaces/profile-bob/workflows/wf-12',
    ]);
    expect(kube.workflow('wf-12', 'profile-bob')!['metadata']['labels']['pipelines.kubeflow.org/events-published']).to.equal('true');
  });

  it('survives a watch that throws before connecting (no cluster, failed credentials) and resumes once it can', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      seedRun('run-13', '13');
      const kubeConfig = loadKubeConfig(kubeconfig);
      const currentCluster = kubeConfig.getCurrentCluster.bind(kubeConfig);
      await startPipeline(60_000, 'kubeflow', kubeConfig);
      await eventually('the watch', () => kube.openWatches === 1);
      // client-node's watch throws 'No currently active cluster' before its own try/catch.
      kubeConfig.getCurrentCluster = () => null;
      kube.endWatches();
      await new Promise((resolve) => setTimeout(resolve, 300));
      kubeConfig.getCurrentCluster = currentCluster;
      kube.put(kfpWorkflow('wf-13', 'run-13', 'Succeeded'));
      await webhook.waitForRequests(1);
      await eventually('a new watch', () => kube.openWatches === 1);
      expect(unhandled).to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  it('retries a failed published-label patch at the next re-list without delivering again', async () => {
    seedRun('run-9', '9');
    kube.failPatches = 1;
    kube.put(kfpWorkflow('wf-9', 'run-9', 'Succeeded'));
    await startPipeline(150);
    await webhook.waitForRequests(1);
    await eventually(
      'the label',
      () => kube.workflow('wf-9')!['metadata']['labels']['pipelines.kubeflow.org/events-published'] === 'true',
      3000,
    );
    expect(kube.patches.length).to.equal(2);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(webhook.requests).to.have.length(1);
  });

  it('labels a workflow whose event the operator can never accept, without sending it', async () => {
    kfp.seedRun('run-10', { runtime_config: { parameters: {} }, created_at: '2024-05-01T10:00:00Z' });
    mlmd.runs.set('run-10', realisticMlmdRun('10'));
    kube.put(kfpWorkflow('wf-10', 'run-10', 'Succeeded'));
    await startPipeline();
    await eventually('the patch', () => kube.patches.length === 1);
    expect(webhook.requests).to.have.length(0);
  });

  it('is not ready while the API server is away, and delivers what finished meanwhile once it is back', async () => {
    seedRun('run-14', '14');
    kube.put(kfpWorkflow('wf-14', 'run-14', 'Running'));
    const source = await startPipeline();
    await eventually('the watch', () => kube.openWatches === 1);
    expect(pipeline!.isReady()).to.equal(true);
    await kube.pause();
    await eventually('not ready', () => !pipeline!.isReady(), 5000);
    expect(source.health()).to.include({ connected: false, reconnects: 0 });
    expect(source.health().reason).to.match(/^watching Argo workflows failed: /);
    expect(pipeline!.failure()).to.equal(undefined);
    // The workflow finishes while the service cannot see it.
    kube.put(kfpWorkflow('wf-14', 'run-14', 'Succeeded'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await kube.resume();
    await webhook.waitForRequests(1);
    expect((webhook.events[0] as { runId: string }).runId).to.equal('run-14');
    await eventually('ready again', () => pipeline!.isReady());
    expect(source.health()).to.deep.equal({ connected: true, reconnects: 1 });
    await eventually('the patch', () => kube.patches.length === 1);
  });

  it('stays connected when a watch that had connected is cut and the API server answers the next one', async () => {
    seedRun('run-15', '15');
    const source = await startPipeline();
    await eventually('the watch', () => kube.openWatches === 1);
    kube.cutWatches();
    await eventually('a new watch', () => kube.openWatches === 1 && kube.watchRequests.length === 2);
    kube.put(kfpWorkflow('wf-15', 'run-15', 'Succeeded'));
    await webhook.waitForRequests(1);
    expect(source.health()).to.deep.equal({ connected: true, reconnects: 0 });
  });

  it('fails for good when the API server stays away for longer than the budget', async () => {
    const source = await startPipeline(60_000, 'kubeflow', loadKubeConfig(kubeconfig), 300);
    await eventually('the watch', () => kube.openWatches === 1);
    await kube.pause();
    await eventually('the failure', () => pipeline!.failure() !== undefined, 5000);
    expect(pipeline!.failure()).to.match(
      /^Kubernetes API server http:\/\/127\.0\.0\.1:\d+ \(Argo workflows in namespace kubeflow\) unreachable for \d+ ms, beyond the reconnect budget of 300 ms: watching Argo workflows failed: /,
    );
    expect(pipeline!.isReady()).to.equal(false);
    expect(source.health().failure).to.equal(pipeline!.failure());
    // Given up means given up: the API server coming back changes nothing.
    const watchRequests = kube.watchRequests.length;
    await kube.resume();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(kube.watchRequests.length).to.equal(watchRequests);
  });

  it('fails to start with a clear message when the API server cannot be reached', async () => {
    const kubeConfig = loadKubeConfig(kubeconfig);
    await kube.stop();
    const source = new ArgoWorkflowEventSource({ kubeConfig, namespace: 'kubeflow', logger: silentLogger, clock: systemClock });
    const error = await source.start().then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(error?.message).to.match(/^cannot list Argo workflows in namespace kubeflow at http:\/\/127\.0\.0\.1:\d+/);
    await source.stop();
    kube = await new FakeKubeApiServer().start();
  });
});
