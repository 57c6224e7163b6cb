import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import { InMemoryRunEventSource } from '../../src/adapters/memory/in-memory-run-event-source.js';
import type { ProviderService } from '../../src/composition/create-provider-service.js';
import { describeProviderContract } from '../../src/testing/describe-provider-contract.js';
import { validRequestBodies } from '../../src/testing/contract-request-bodies.js';
import { RecordingWebhookReceiver } from '../../src/testing/recording-webhook-receiver.js';
import { BatchQueueProvider } from '../../examples/custom-provider/batch-queue-provider.js';
import { startBatchQueueService } from '../../examples/custom-provider/start-batch-queue-service.js';

const exampleFiles = ['batch-queue-provider.ts', 'batch-job-normaliser.ts', 'start-batch-queue-service.ts'];

async function send(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('custom provider example (examples/custom-provider)', () => {
  let webhook: RecordingWebhookReceiver | undefined;
  let service: ProviderService | undefined;

  beforeEach(async () => {
    webhook = await new RecordingWebhookReceiver().start();
    service = await startBatchQueueService(webhook.url);
  });

  afterEach(async () => {
    await service?.stop();
    await webhook?.stop();
  });

  it('takes a run over HTTP and reports its completion to the operator webhook', async () => {
    expect((await send(service!.url!, 'POST', '/resource/pipeline', validRequestBodies.pipeline)).status).to.equal(201);
    const run = await send(service!.url!, 'POST', '/resource/run', validRequestBodies.run);
    expect(run).to.deep.equal({ status: 201, body: { id: 'job-1' } });

    const [request] = await webhook!.waitForRequests(1);
    expect(request!.headers['content-type']).to.equal('application/json');
    expect(request!.json).to.deep.include({
      status: 'succeeded',
      pipelineName: 'contract/pipeline',
      runName: 'contract/run',
      runConfigurationName: 'contract/runconfiguration',
      runId: 'job-1',
      provider: 'kfp/batch-queue',
    });
    // The RUNNING event is ignored: exactly one request for one run.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(webhook!.requests).to.have.length(1);
  });

  it('reports a failed job as a failed run', async () => {
    await send(service!.url!, 'POST', '/resource/pipeline', validRequestBodies.pipeline);
    await send(service!.url!, 'POST', '/resource/run', { ...validRequestBodies.run, parameters: { fail: 'true' } });
    const [request] = await webhook!.waitForRequests(1);
    expect(request!.json).to.deep.include({ status: 'failed', runId: 'job-1' });
  });

  it('answers 501 for what it does not implement and 500 with the reason for a missing pipeline', async () => {
    const schedule = await send(service!.url!, 'POST', '/resource/runschedule', validRequestBodies.runschedule);
    expect(schedule.status).to.equal(501);
    expect(schedule.body['providerError']).to.be.a('string').that.is.not.empty;
    const run = await send(service!.url!, 'POST', '/resource/run', validRequestBodies.run);
    expect(run).to.deep.equal({ status: 500, body: { providerError: 'pipeline contract/pipeline was never uploaded' } });
  });

  it('is shown in docs/custom-provider.md exactly as compiled here, importing the package by name', async () => {
    const guide = await readFile(new URL('../../docs/custom-provider.md', import.meta.url), 'utf8');
    for (const file of exampleFiles) {
      const source = await readFile(new URL(`../../examples/custom-provider/${file}`, import.meta.url), 'utf8');
      const asPublished = source.replaceAll("'../../src/index.js'", "'kfp-provider-service'");
      expect(guide, `docs/custom-provider.md must contain examples/custom-provider/${file}`).to.contain(asPublished.trimEnd());
    }
  });
});

describeProviderContract('custom provider example', () => new BatchQueueProvider(new InMemoryRunEventSource()), {
  operations: { run: ['create', 'delete'], runschedule: [], experiment: [] },
});
