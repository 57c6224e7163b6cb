import { expect } from 'chai';
import { createProviderService, type ProviderService } from '../../../src/composition/create-provider-service.js';
import { RecordingWebhookReceiver } from '../../../src/testing/recording-webhook-receiver.js';
import { validRequestBodies } from '../../../src/testing/contract-request-bodies.js';
import { send } from '../../support/http-client.js';
import { type SilentTcpServer, startSilentTcpServer } from '../../support/silent-tcp-server.js';
import { FakeKfpServer } from './fake-kfp-server.js';
import { kfpWorkflow } from './fake-kube-api-server.js';

const deadlineMs = 300;

describe('Kubeflow service whose backends accept and never answer (BACKEND_TIMEOUT_MS)', function () {
  this.timeout(20_000);
  let silent: SilentTcpServer;
  let kfp: FakeKfpServer;
  let webhook: RecordingWebhookReceiver;
  let service: ProviderService | undefined;

  async function startService(restApiUrl: string): Promise<ProviderService> {
    service = createProviderService({
      provider: 'kfp',
      config: {
        PROVIDERNAME: 'ops/kfp',
        PIPELINEROOTSTORAGE: 'gs://pipeline-root',
        OPERATORWEBHOOK: webhook.url,
        PARAMETERS_RESTKFPAPIURL: restApiUrl,
        PARAMETERS_GRPCMETADATASTOREADDRESS: silent.address,
        PARAMETERS_KFPWORKFLOWEVENTS: 'relay',
        BACKEND_TIMEOUT_MS: String(deadlineMs),
        SHUTDOWN_TIMEOUT_MS: '500',
      },
    });
    await service.start();
    return service;
  }

  /** Sends a request and answers its status, body and how long the answer took. */
  async function timed(path: string, body: unknown): Promise<{ status: number; json: unknown; ms: number }> {
    const started = Date.now();
    const answer = await send(service!.url!, 'POST', path, { json: body });
    return { status: answer.status, json: answer.json, ms: Date.now() - started };
  }

  beforeEach(async () => {
    silent = await startSilentTcpServer();
    kfp = await new FakeKfpServer().start();
    webhook = await new RecordingWebhookReceiver().start();
  });

  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await Promise.all([silent.stop(), kfp.stop(), webhook.stop()]);
  });

  it('answers a resource call whose KFP request hangs with a 500 naming the request, at the deadline', async () => {
    await startService(`http://${silent.address}`);
    const answer = await timed('/resource/experiment', validRequestBodies.experiment);
    expect(answer.status).to.equal(500);
    expect(String((answer.json as { providerError?: unknown }).providerError)).to.match(
      new RegExp(`^KFP \\w+ /apis/v2beta1/experiments.* failed: no answer within ${deadlineMs} ms`),
    );
    expect(answer.ms)
      .to.be.at.least(deadlineMs - 20)
      .and.below(deadlineMs + 2000);
  });

  it('answers a relayed workflow 503 (retry) when the KFP run lookup hangs', async () => {
    await startService(`http://${silent.address}`);
    const answer = await timed('/events/argo-workflows', kfpWorkflow('wf-1', 'run-1', 'Succeeded'));
    expect(answer.status).to.equal(503);
    expect(answer.ms).to.be.below(deadlineMs + 2000);
    expect(webhook.requests).to.have.length(0);
  });

  it('answers a relayed workflow 503 (retry) when ML Metadata hangs', async () => {
    kfp.seedRun('run-1', {
      runtime_config: { parameters: { 'pipeline-name': 'pipe', 'pipeline-namespace': 'team' } },
      created_at: '2024-05-01T10:00:00Z',
      finished_at: '2024-05-01T10:05:00Z',
    });
    await startService(kfp.url);
    const answer = await timed('/events/argo-workflows', kfpWorkflow('wf-1', 'run-1', 'Succeeded'));
    expect(answer.status).to.equal(503);
    expect(answer.ms)
      .to.be.at.least(deadlineMs - 20)
      .and.below(deadlineMs + 2000);
    expect(kfp.requests.some((request) => request.path.includes('run-1'))).to.equal(true);
    expect(webhook.requests).to.have.length(0);
  });
});
