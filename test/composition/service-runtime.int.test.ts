import { expect } from 'chai';
import { InMemoryRunEventSource } from '../../src/adapters/memory/in-memory-run-event-source.js';
import { silentLogger } from '../../src/adapters/logging/silent-logger.js';
import { loadServiceConfig } from '../../src/config/service-config.js';
import { createProviderService, type ProviderService } from '../../src/composition/create-provider-service.js';
import { DefinitionBodyMother } from '../support/definition-mother.js';
import { eventually, freePort } from '../support/eventually.js';
import { send } from '../support/http-client.js';

/** An in-memory source whose start waits until the test lets it connect. */
class GatedRunEventSource extends InMemoryRunEventSource {
  #connect: () => void = () => undefined;
  readonly #connected = new Promise<void>((resolve) => (this.#connect = resolve));

  connect(): void {
    this.#connect();
  }

  override async start(): Promise<void> {
    await this.#connected;
    await super.start();
  }
}

/** A source that connects, then fails for good, as a Pub/Sub stream whose subscription was deleted. */
class FailingRunEventSource extends InMemoryRunEventSource {
  // It fails before its first message, so it never yields; a generator is still the shortest async iterable.
  // eslint-disable-next-line require-yield
  override async *messages(): AsyncIterable<never> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    throw new Error('subscription deleted');
  }
}

describe('service runtime (real container, local provider)', () => {
  let service: ProviderService | undefined;

  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });

  it('answers /livez and /readyz 503 once its event source has failed for good, so the pod is restarted', async () => {
    const config = loadServiceConfig({ SERVER_HOST: '127.0.0.1', SERVER_PORT: '0', METRICS_PORT: '0', SHUTDOWN_TIMEOUT_MS: '200' });
    service = createProviderService({ provider: 'local', config, logger: silentLogger, eventSource: new FailingRunEventSource() });
    await service.start();
    const base = `http://127.0.0.1:${service.apiPort}`;
    await eventually('liveness to fail', async () => (await send(base, 'GET', '/livez')).status === 503);
    expect((await send(base, 'GET', '/livez')).json!['providerError']).to.include('subscription deleted');
    expect((await send(base, 'GET', '/readyz')).status).to.equal(503);
  });

  it('keeps serving for SHUTDOWN_DELAY_MS after stop begins, answering /readyz 503, then closes', async () => {
    const config = loadServiceConfig({
      SERVER_HOST: '127.0.0.1',
      SERVER_PORT: '0',
      METRICS_PORT: '0',
      SHUTDOWN_DELAY_MS: '400',
      SHUTDOWN_TIMEOUT_MS: '200',
    });
    const running = createProviderService({ provider: 'local', config, logger: silentLogger });
    await running.start();
    const base = `http://127.0.0.1:${running.apiPort}`;
    expect((await send(base, 'GET', '/readyz')).status).to.equal(200);
    const stopped = running.stop();
    const during = await send(base, 'GET', '/readyz');
    expect(during.status).to.equal(503);
    expect(during.json!['providerError']).to.include('shutting down');
    expect((await send(base, 'POST', '/resource/pipeline', { json: DefinitionBodyMother.pipeline() })).status).to.equal(201);
    expect(running.isReady()).to.equal(false);
    await stopped;
    expect(
      await send(base, 'GET', '/livez').then(
        () => 'answered',
        () => 'refused',
      ),
    ).to.equal('refused');
  });

  it('answers /livez at once, /readyz 503 until the event source connects, then 200', async () => {
    const [apiPort, metricsPort] = [await freePort(), await freePort()];
    const config = loadServiceConfig({
      SERVER_HOST: '127.0.0.1',
      SERVER_PORT: String(apiPort),
      METRICS_PORT: String(metricsPort),
      SHUTDOWN_TIMEOUT_MS: '200',
    });
    const source = new GatedRunEventSource();
    service = createProviderService({ provider: 'local', config, logger: silentLogger, eventSource: source });
    const starting = service.start();
    const base = `http://127.0.0.1:${apiPort}`;
    await eventually('the API to listen', async () => (await send(base, 'GET', '/livez').catch(() => undefined))?.status === 200);
    const notReady = await send(base, 'GET', '/readyz');
    expect(notReady.status).to.equal(503);
    expect(notReady.json!['providerError']).to.include('not ready');
    source.connect();
    await starting;
    expect(service.isReady()).to.equal(true);
    expect((await send(base, 'GET', '/readyz')).status).to.equal(200);
  });

  it('serves the API and Prometheus metrics (route patterns, durations, process metrics) on their ports', async () => {
    const config = loadServiceConfig({ SERVER_HOST: '127.0.0.1', SERVER_PORT: '0', METRICS_PORT: '0', SHUTDOWN_TIMEOUT_MS: '200' });
    service = createProviderService({ provider: 'local', config, logger: silentLogger, defaultMetrics: true });
    await service.start();
    expect(service.apiPort).to.be.above(0);
    expect(service.metricsPort).to.be.above(0).and.not.equal(service.apiPort);
    const base = `http://127.0.0.1:${service.apiPort}`;
    expect((await send(base, 'POST', '/resource/pipeline', { json: DefinitionBodyMother.pipeline() })).json).to.deep.equal({
      id: 'team/pipe',
    });
    expect((await send(base, 'GET', '/metrics')).status).to.equal(404);

    const scrape = await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`);
    expect(scrape.status).to.equal(200);
    expect(scrape.headers.get('content-type')).to.match(/^text\/plain/);
    const text = await scrape.text();
    expect(text).to.include(
      'http_server_request_duration_seconds_count{http_request_method="POST",http_response_status_code="201",http_route="/resource/pipeline"} 1',
    );
    expect(text).to.include('process_cpu_user_seconds_total');
    expect(text).to.include('nodejs_heap_size_total_bytes');
    for (const result of ['Success', 'RecoverableFailure', 'UnrecoverableFailure', 'Discarded']) {
      expect(text).to.include(`provider_webhook_send_events_count_total{result="${result}"} 0`);
    }
    expect((await fetch(`http://127.0.0.1:${service.metricsPort}/other`)).status).to.equal(404);

    const openApi = await send(base, 'GET', '/openapi.yaml');
    expect(openApi.status).to.equal(200);
    expect(openApi.text).to.match(/^openapi: 3\./);
    expect(openApi.text).to.include('/resource/{type}/{id}:');
  });

  it('stops listening on both ports after stop', async () => {
    const config = loadServiceConfig({ SERVER_HOST: '127.0.0.1', SERVER_PORT: '0', METRICS_PORT: '0', SHUTDOWN_TIMEOUT_MS: '200' });
    const started = createProviderService({ provider: 'local', config, logger: silentLogger });
    await started.start();
    await started.stop();
    expect(started.isReady()).to.equal(false);
    const refused = await fetch(`http://127.0.0.1:${started.apiPort}/livez`).then(
      () => false,
      () => true,
    );
    expect(refused).to.equal(true);
  });
});
