import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { expect } from 'chai';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { createProviderService, type ProviderService } from '../../src/composition/create-provider-service.js';
import { kfpWorkflowLabels } from '../../src/domain/kfp/argo-workflow.js';
import { RecordingWebhookReceiver } from '../../src/testing/recording-webhook-receiver.js';
import { FakeKfpServer } from '../adapters/kfp/fake-kfp-server.js';
import { FakeMlmdServer, realisticComponents, realisticMlmdRun } from '../adapters/kfp/fake-mlmd-server.js';
import { eventually } from '../support/eventually.js';

const workflows = { group: 'argoproj.io', version: 'v1alpha1', plural: 'workflows' } as const;
const namespace = 'kubeflow';

// The Argo Workflow CRD as far as the API server needs it: the schema keeps every field, and
// status is a plain field (no subresource) so a test can create a finished workflow directly.
const workflowCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${workflows.plural}.${workflows.group}` },
  spec: {
    group: workflows.group,
    names: { kind: 'Workflow', listKind: 'WorkflowList', plural: workflows.plural, singular: 'workflow', shortNames: ['wf'] },
    scope: 'Namespaced',
    versions: [
      {
        name: workflows.version,
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};

describe('KFP run events from the Argo Workflow watch through the composed service (K3s container)', function () {
  this.timeout(300_000);
  let k3s: StartedTestContainer | undefined;
  let kubeConfigDirectory: string | undefined;
  let kfp: FakeKfpServer | undefined;
  let mlmd: FakeMlmdServer | undefined;
  let webhook: RecordingWebhookReceiver | undefined;
  let service: ProviderService | undefined;
  let objects: CustomObjectsApi;

  before(async () => {
    k3s = await new GenericContainer('rancher/k3s:v1.31.4-k3s1')
      .withPrivilegedMode()
      .withCommand(['server', '--disable=traefik,metrics-server,servicelb', '--tls-san=127.0.0.1'])
      .withExposedPorts(6443)
      .withWaitStrategy(Wait.forLogMessage(/Node controller sync successful|k3s is up and running/))
      .start();
    const { output } = await k3s.exec(['cat', '/etc/rancher/k3s/k3s.yaml']);
    const kubeConfigText = output.replace(/https:\/\/127\.0\.0\.1:6443/g, `https://${k3s.getHost()}:${k3s.getMappedPort(6443)}`);
    kubeConfigDirectory = await mkdtemp(join(tmpdir(), 'kfp-k3s-'));
    const kubeConfigFile = join(kubeConfigDirectory, 'kubeconfig.yaml');
    await writeFile(kubeConfigFile, kubeConfigText);

    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeConfigFile);
    const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
    await extensions.createCustomResourceDefinition({ body: workflowCrd });
    await eventually(
      'the Workflow CRD to be established',
      async () => {
        const crd = await extensions.readCustomResourceDefinition({ name: workflowCrd.metadata.name });
        return (crd.status?.conditions ?? []).some((condition) => condition.type === 'Established' && condition.status === 'True');
      },
      60_000,
      500,
    );
    await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    objects = kubeConfig.makeApiClient(CustomObjectsApi);

    kfp = await new FakeKfpServer().start();
    mlmd = await new FakeMlmdServer().start();
    webhook = await new RecordingWebhookReceiver().start();
    service = createProviderService({
      provider: 'kfp',
      config: {
        PROVIDERNAME: 'ops/kfp-provider',
        PIPELINEROOTSTORAGE: 'gs://pipeline-root',
        OPERATORWEBHOOK: webhook.url,
        PARAMETERS_RESTKFPAPIURL: kfp.url,
        PARAMETERS_GRPCMETADATASTOREADDRESS: mlmd.address,
        PARAMETERS_KFPNAMESPACE: namespace,
        KUBECONFIG: kubeConfigFile,
        EVENTS_RETRY_INITIAL_MS: '100',
        SHUTDOWN_TIMEOUT_MS: '2000',
      },
    });
    await service.start();
  });

  after(async () => {
    await service?.stop();
    await webhook?.stop();
    await mlmd?.stop();
    await kfp?.stop();
    await k3s?.stop();
    if (kubeConfigDirectory) await rm(kubeConfigDirectory, { recursive: true, force: true });
  });

  it('is ready once the workflow watch is connected', async () => {
    expect((await fetch(`${service!.url}/readyz`)).status).to.equal(200);
  });

  it('delivers a finished KFP workflow to the webhook and marks it published', async () => {
    kfp!.seedRun('run-1', {
      run_id: 'run-1',
      created_at: '2030-01-01T00:00:00Z',
      finished_at: '2030-01-01T00:10:00Z',
      runtime_config: {
        parameters: { 'pipeline-name': 'pipe', 'pipeline-namespace': 'team', 'run-name': 'train', 'run-namespace': 'team' },
      },
    });
    mlmd!.runs.set('run-1', realisticMlmdRun());
    await objects.createNamespacedCustomObject({
      ...workflows,
      namespace,
      body: {
        apiVersion: `${workflows.group}/${workflows.version}`,
        kind: 'Workflow',
        metadata: { name: 'train-x7k2p', labels: { [kfpWorkflowLabels.runId]: 'run-1', [kfpWorkflowLabels.phase]: 'Succeeded' } },
        spec: { entrypoint: 'main' },
        status: { phase: 'Succeeded' },
      },
    });

    const [request] = await webhook!.waitForRequests(1, 60_000);
    expect(request!.json).to.deep.include({
      status: 'succeeded',
      pipelineName: 'team/pipe',
      runName: 'team/train',
      runId: 'run-1',
      provider: 'ops/kfp-provider',
    });
    expect((request!.json as { pipelineComponents: unknown }).pipelineComponents).to.deep.equal(realisticComponents);
    await eventually(
      'the workflow to be labelled as published',
      async () => {
        const workflow = (await objects.getNamespacedCustomObject({ ...workflows, namespace, name: 'train-x7k2p' })) as {
          metadata: { labels?: Record<string, string> };
        };
        return workflow.metadata.labels?.[kfpWorkflowLabels.eventsPublished] === 'true';
      },
      30_000,
      250,
    );
  });
});
