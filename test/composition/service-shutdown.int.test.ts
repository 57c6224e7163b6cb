import { Agent, request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { silentLogger } from '../../src/adapters/logging/silent-logger.js';
import { loadServiceConfig } from '../../src/config/service-config.js';
import { createProviderService, type ProviderService } from '../../src/composition/create-provider-service.js';

function get(url: string, agent?: Agent): Promise<{ status: number; connection: string | undefined } | 'refused'> {
  return new Promise((resolve) => {
    const outgoing = httpRequest(url, { agent }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }));
    });
    outgoing.on('error', () => resolve('refused'));
    outgoing.end();
  });
}

describe('service runtime: addresses and shutdown', () => {
  let service: ProviderService | undefined;
  let agent: Agent;

  beforeEach(() => {
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
  });

  afterEach(async () => {
    agent.destroy();
    await service?.stop();
    service = undefined;
  });

  it('binds /metrics to METRICS_HOST and the API to SERVER_HOST', async () => {
    const config = loadServiceConfig({ SERVER_HOST: '127.0.0.1', METRICS_HOST: '127.0.0.2', SERVER_PORT: '0', METRICS_PORT: '0' });
    service = createProviderService({ provider: 'local', config, logger: silentLogger });
    await service.start();
    expect(await get(`http://127.0.0.2:${service.metricsPort}/metrics`)).to.deep.include({ status: 200 });
    expect(await get(`http://127.0.0.1:${service.metricsPort}/metrics`)).to.equal('refused');
    expect(await get(`http://127.0.0.1:${service.apiPort}/livez`)).to.deep.include({ status: 200 });
    expect(await get(`http://127.0.0.2:${service.apiPort}/livez`)).to.equal('refused');
  });

  it('answers with Connection: close from the moment stop begins, keeps the port open for the delay, then refuses', async () => {
    const config = loadServiceConfig({ SERVER_HOST: '127.0.0.1', SERVER_PORT: '0', METRICS_PORT: '0', SHUTDOWN_DELAY_MS: '300' });
    const running = createProviderService({ provider: 'local', config, logger: silentLogger });
    service = running;
    await running.start();
    const livez = `http://127.0.0.1:${running.apiPort}/livez`;
    expect(await get(livez, agent)).to.deep.equal({ status: 200, connection: 'keep-alive' });
    const stopped = running.stop();
    expect(await get(livez, agent)).to.deep.equal({ status: 200, connection: 'close' });
    expect(await get(livez)).to.deep.equal({ status: 200, connection: 'close' });
    await stopped;
    expect(await get(livez)).to.equal('refused');
  });
});
