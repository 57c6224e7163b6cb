import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { InMemoryRunEventSource } from '../../src/adapters/memory/in-memory-run-event-source.js';
import { ConfigError, loadServiceConfig } from '../../src/config/service-config.js';
import { createProviderService, type ProviderService } from '../../src/composition/create-provider-service.js';
import type { RunCompletionEvent } from '../../src/domain/run-completion-event.js';
import type { DeliveryOutcome, RunCompletionSink } from '../../src/ports/run-completion-sink.js';
import { validRequestBodies } from '../../src/testing/contract-request-bodies.js';
import { InMemoryProvider } from '../../src/testing/in-memory-provider.js';
import { RecordingWebhookReceiver } from '../../src/testing/recording-webhook-receiver.js';
import { eventually } from '../support/eventually.js';

async function post(url: string, type: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/resource/${type}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('createProviderService', () => {
  const cleanups: Array<() => Promise<void>> = [];
  const started = async (service: ProviderService): Promise<ProviderService> => {
    cleanups.push(() => service.stop());
    await service.start();
    return service;
  };

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('runs a custom provider behind the HTTP API and sends its run completions to the webhook', async () => {
    const webhook = await new RecordingWebhookReceiver().start();
    cleanups.push(() => webhook.stop());
    const events = new InMemoryRunEventSource();
    const provider = new InMemoryProvider({ events, providerName: { namespace: 'kfp', name: 'custom' } });
    const service = await started(createProviderService({ provider, eventSource: events, config: { OPERATORWEBHOOK: webhook.url } }));

    expect(service.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const created = await post(service.url!, 'run', validRequestBodies.run);
    expect(created.status).to.equal(201);
    provider.completeRun(String(created.body['id']));

    const [request] = await webhook.waitForRequests(1);
    expect(request!.headers['content-type']).to.equal('application/json');
    expect(request!.json).to.deep.include({
      status: 'succeeded',
      pipelineName: 'contract/pipeline',
      runConfigurationName: 'contract/runconfiguration',
      runName: 'contract/run',
      runId: created.body['id'],
      provider: 'kfp/custom',
    });
    await eventually('the event to be acknowledged at its source', () => events.idsIn('acked').length === 1);
  });

  it('loads a built-in provider kind, answers readiness, and releases its ports on stop', async () => {
    const service = createProviderService({ provider: 'local', config: { PARAMETERS_RUNDURATIONMS: '10' } });
    expect(service.isReady()).to.equal(false);
    expect(service.url).to.equal(undefined);
    await started(service);
    expect(service.config.providerType).to.equal('local');
    expect(service.isReady()).to.equal(true);
    expect((await fetch(`${service.url}/readyz`)).status).to.equal(200);
    const metrics = await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`);
    expect(await metrics.text()).to.contain('http_server_request_duration_seconds');
    const url = service.url!;
    await service.stop();
    const afterStop = await fetch(`${url}/livez`).then(
      (response) => `answered ${response.status}`,
      () => 'refused',
    );
    expect(afterStop).to.equal('refused');
  });

  it('builds only the Koa app when told not to listen, for mounting into an existing server', async () => {
    const service = createProviderService({ provider: new InMemoryProvider(), listen: false });
    expect(() => service.app).to.throw(/once the provider service has started/);
    await started(service);
    expect(service.apiPort).to.equal(undefined);
    expect(service.metricsPort).to.equal(undefined);
    const handle = service.app.callback();
    const host: Server = createServer((request, response) => void handle(request, response));
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => host.close(() => resolve())));
    const created = await post(`http://127.0.0.1:${(host.address() as AddressInfo).port}`, 'experiment', validRequestBodies.experiment);
    expect(created).to.deep.equal({ status: 201, body: { id: 'experiment-1' } });
  });

  it('sends completions to a given sink instead of the configured one', async () => {
    const delivered: RunCompletionEvent[] = [];
    const sink: RunCompletionSink = {
      deliver: async (event): Promise<DeliveryOutcome> => {
        delivered.push(event);
        return { kind: 'delivered' };
      },
    };
    const events = new InMemoryRunEventSource();
    const provider = new InMemoryProvider({ events });
    const service = await started(createProviderService({ provider, eventSource: events, sink }));
    const created = await post(service.url!, 'run', validRequestBodies.run);
    provider.completeRun(String(created.body['id']), { status: 'failed' });
    await eventually('the sink to receive the completion', () => delivered.length === 1);
    expect(delivered[0]).to.include({ status: 'failed', runId: created.body['id'] });
  });

  it('rejects configuration problems before anything starts', () => {
    expect(() => createProviderService({ provider: new InMemoryProvider(), config: { SERVER_PORT: 'eighty' } })).to.throw(
      ConfigError,
      /SERVER_PORT/,
    );
    const localConfig = loadServiceConfig({});
    expect(() => createProviderService({ provider: 'kfp', config: localConfig })).to.throw(TypeError, /"kfp".*"local"/);
  });

  it('can be stopped before it starts, and not started once stopped', async () => {
    const service = createProviderService({ provider: new InMemoryProvider() });
    await service.stop();
    const failure = await service.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure)
      .to.be.instanceOf(Error)
      .with.property('message')
      .that.matches(/was stopped/);
  });

  it('stops a service whose start failed without leaving anything behind', async () => {
    const source = new InMemoryRunEventSource();
    source.start = async () => {
      throw new Error('the event source cannot connect');
    };
    const service = createProviderService({ provider: new InMemoryProvider(), eventSource: source });
    const failure = await service.start().catch((error: unknown) => error);
    expect(failure).to.be.instanceOf(Error).with.property('message', 'the event source cannot connect');
    await service.stop();
    expect(service.url).to.equal(undefined);
  });
});
