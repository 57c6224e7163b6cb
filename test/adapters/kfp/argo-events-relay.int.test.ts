import { expect } from 'chai';
import { ArgoEventsRelay } from '../../../src/adapters/kfp/argo-events-relay.js';
import { KfpApiClient } from '../../../src/adapters/kfp/kfp-api-client.js';
import { KfpRestTransport } from '../../../src/adapters/kfp/kfp-rest-transport.js';
import { KfpRunEventNormaliser } from '../../../src/adapters/kfp/kfp-run-event-normaliser.js';
import { MlmdGrpcClient } from '../../../src/adapters/kfp/mlmd-grpc-client.js';
import { silentLogger } from '../../../src/adapters/logging/silent-logger.js';
import { PrometheusMetrics } from '../../../src/adapters/metrics/prometheus-metrics.js';
import { WebhookRunCompletionSink } from '../../../src/adapters/operator/webhook-run-completion-sink.js';
import { RunEventAttempt } from '../../../src/application/run-event-attempt.js';
import type { ContributedRequest } from '../../../src/ports/http-route-contribution.js';
import { RecordingWebhookReceiver } from '../../../src/testing/recording-webhook-receiver.js';
import { FakeKfpServer } from './fake-kfp-server.js';
import { FakeMlmdServer, realisticComponents, realisticMlmdRun } from './fake-mlmd-server.js';
import { kfpWorkflow } from './fake-kube-api-server.js';

function request(body: unknown, headers: Record<string, string> = {}): ContributedRequest {
  return { headers, body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}

function finishedWorkflow(): Record<string, unknown> {
  return {
    ...kfpWorkflow('wf-1', 'run-1', 'Succeeded'),
    metadata: { ...kfpWorkflow('wf-1', 'run-1', 'Succeeded')['metadata'], namespace: 'kubeflow' },
  };
}

describe('ArgoEventsRelay with the run event attempt, KFP, ML Metadata and a webhook', () => {
  let kfp: FakeKfpServer;
  let mlmd: FakeMlmdServer;
  let webhook: RecordingWebhookReceiver;
  let mlmdClient: MlmdGrpcClient;
  let relay: ArgoEventsRelay;

  beforeEach(async () => {
    kfp = await new FakeKfpServer().start();
    mlmd = await new FakeMlmdServer().start();
    webhook = await new RecordingWebhookReceiver().start();
    mlmdClient = new MlmdGrpcClient({ address: mlmd.address, timeoutMs: 2000 });
    kfp.seedRun('run-1', {
      runtime_config: {
        parameters: {
          'pipeline-name': 'pipe',
          'pipeline-namespace': 'team',
          'runconfiguration-name': 'rc',
          'runconfiguration-namespace': 'team',
        },
      },
      created_at: '2024-05-01T10:00:00Z',
      finished_at: '1970-01-01T00:00:00Z',
    });
    mlmd.runs.set('run-1', realisticMlmdRun());
    const attempt = new RunEventAttempt({
      normaliser: new KfpRunEventNormaliser({
        api: new KfpApiClient(new KfpRestTransport({ baseUrl: kfp.url, timeoutMs: 2000 })),
        mlmd: mlmdClient,
        provider: { namespace: 'ops', name: 'kfp' },
        clock: { now: () => new Date('2024-05-01T11:00:00Z') },
      }),
      sink: new WebhookRunCompletionSink({ url: webhook.url, timeoutMs: 2000 }),
      metrics: new PrometheusMetrics({ defaultMetrics: false }),
      logger: silentLogger,
    });
    relay = new ArgoEventsRelay(attempt);
  });

  afterEach(async () => {
    mlmdClient.close();
    await Promise.all([kfp.stop(), mlmd.stop(), webhook.stop()]);
  });

  it('is POST /events/argo-workflows', () => {
    expect([relay.method, relay.path]).to.deep.equal(['POST', '/events/argo-workflows']);
  });

  it('delivers a workflow sent as the body by a sensor (no content type), with KFP times and MLMD artifacts', async () => {
    const answer = await relay.handle(request(finishedWorkflow()));
    expect(answer).to.deep.equal({ status: 200, body: { id: 'kubeflow/wf-1', outcome: 'delivered' } });
    expect(webhook.events).to.deep.equal([
      {
        status: 'succeeded',
        pipelineName: 'team/pipe',
        runConfigurationName: 'team/rc',
        runId: 'run-1',
        runStartTime: '2024-05-01T10:00:00.000Z',
        runEndTime: '2024-05-01T11:00:00.000Z',
        pipelineComponents: realisticComponents,
        provider: 'ops/kfp',
      },
    ]);
  });

  it('delivers the whole Argo event with base64 data, and a trigger body holding the workflow as a string', async () => {
    const data = Buffer.from(JSON.stringify({ type: 'ADD', body: finishedWorkflow(), oldBody: null, group: 'argoproj.io' })).toString(
      'base64',
    );
    const argoEvent = {
      context: { id: 'abc123', source: 'kfp-workflows', type: 'resource', subject: 'finished', specversion: '1.0' },
      data,
    };
    expect(await relay.handle(request(argoEvent))).to.deep.equal({ status: 200, body: { id: 'abc123', outcome: 'delivered' } });
    const trigger = { eventType: 'UPDATE', workflow: JSON.stringify(finishedWorkflow()) };
    expect((await relay.handle(request(trigger, { 'x-event-id': 'e-2' }))).body).to.deep.equal({ id: 'e-2', outcome: 'delivered' });
    expect(webhook.requests).to.have.length(2);
  });

  it('delivers a structured-mode CloudEvent and a binary-mode CloudEvent', async () => {
    const structured = {
      specversion: '1.0',
      id: 'ce-1',
      source: 'kfp-workflows',
      type: 'resource',
      datacontenttype: 'application/json',
      data: { type: 'UPDATE', body: finishedWorkflow() },
    };
    const first = await relay.handle(request(structured, { 'content-type': 'application/cloudevents+json' }));
    expect(first).to.deep.equal({ status: 200, body: { id: 'ce-1', outcome: 'delivered' } });
    const binary = await relay.handle(
      request(
        { type: 'ADD', body: finishedWorkflow() },
        {
          'ce-specversion': '1.0',
          'ce-id': 'ce-2',
          'ce-source': 'kfp-workflows',
          'ce-type': 'resource',
          'content-type': 'application/json',
        },
      ),
    );
    expect(binary).to.deep.equal({ status: 200, body: { id: 'ce-2', outcome: 'delivered' } });
    expect(webhook.requests).to.have.length(2);
  });

  it('answers 503 with a providerError while the webhook fails, and 200 once it takes the event', async () => {
    webhook.answerWith(500);
    const failing = await relay.handle(request(finishedWorkflow()));
    expect(failing.status).to.equal(503);
    expect(failing.body['providerError']).to.contain('kubeflow/wf-1').and.contain('retry');
    webhook.answerWith(200);
    expect((await relay.handle(request(finishedWorkflow()))).status).to.equal(200);
  });

  it('answers 503 while KFP cannot be asked about the run', async () => {
    kfp.failNext('GET', /^\/runs\//, 503, { code: 14, message: 'unavailable' });
    expect((await relay.handle(request(finishedWorkflow()))).status).to.equal(503);
    expect(webhook.requests).to.have.length(0);
  });

  it('answers 503 while ML Metadata has no context for a succeeded run yet, and 200 once it has', async () => {
    mlmd.runs.delete('run-1');
    const pending = await relay.handle(request(finishedWorkflow()));
    expect(pending.status).to.equal(503);
    expect(pending.body['providerError']).to.contain('kubeflow/wf-1').and.contain('retry');
    expect(webhook.requests).to.have.length(0);
    mlmd.runs.set('run-1', realisticMlmdRun());
    expect(await relay.handle(request(finishedWorkflow()))).to.deep.equal({
      status: 200,
      body: { id: 'kubeflow/wf-1', outcome: 'delivered' },
    });
  });

  it('delivers a failed run ML Metadata never heard of at once, without components', async () => {
    kfp.seedRun('run-3', { runtime_config: { parameters: { 'pipeline-name': 'pipe', 'run-name': 'r', 'run-namespace': 'team' } } });
    const failed = await relay.handle(request(kfpWorkflow('wf-3', 'run-3', 'Failed')));
    expect(failed).to.deep.equal({ status: 200, body: { id: 'wf-3', outcome: 'delivered' } });
    expect(webhook.events).to.have.length(1);
    expect(webhook.events[0]).to.deep.include({ status: 'failed', runId: 'run-3', pipelineComponents: [] });
  });

  it('answers 200 without delivering for running workflows, deletions and malformed bodies', async () => {
    const running = await relay.handle(request(kfpWorkflow('wf-2', 'run-2', 'Running')));
    expect(running).to.deep.equal({ status: 200, body: { id: 'wf-2', outcome: 'ignored' } });
    const deletion = await relay.handle(request({ type: 'DELETE', body: finishedWorkflow() }));
    expect(deletion.body['outcome']).to.equal('ignored');
    const garbage = await relay.handle(request('not json at all!'));
    expect(garbage.status).to.equal(200);
    expect(garbage.body).to.deep.include({ outcome: 'invalid' });
    expect(garbage.body['id']).to.match(/^argo-events-\d+$/);
    const rejected = await relay.handle(request({ hello: 'world' }));
    expect(rejected.body['outcome']).to.equal('invalid');
    expect(webhook.requests).to.have.length(0);
  });

  it('answers 200 "rejected" when the operator refuses the event for good (410)', async () => {
    webhook.answerWith(410);
    expect(await relay.handle(request(finishedWorkflow()))).to.deep.equal({
      status: 200,
      body: { id: 'kubeflow/wf-1', outcome: 'rejected' },
    });
  });
});
