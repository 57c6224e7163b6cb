import { expect } from 'chai';
import { createProviderService, type ProviderService } from '../../src/composition/create-provider-service.js';
import { InMemoryProvider } from '../../src/testing/in-memory-provider.js';
import { eventually } from '../support/eventually.js';
import { HealthReportingSource } from '../support/health-reporting-source.js';

const gaveUp = {
  connected: false,
  reason: '14 UNAVAILABLE',
  failure: 'Pub/Sub subscription s unreachable for 300 s, beyond the reconnect budget of 300 s: 14 UNAVAILABLE',
  reconnects: 0,
};

describe('createProviderService when its event source gives up', () => {
  let source: HealthReportingSource;
  let service: ProviderService | undefined;

  beforeEach(() => {
    source = new HealthReportingSource();
  });

  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });

  async function start(onFatal?: (failure: string) => void): Promise<ProviderService> {
    service = createProviderService({ provider: new InMemoryProvider(), eventSource: source, ...(onFatal ? { onFatal } : {}) });
    await service.start();
    return service;
  }

  it('calls onFatal once with the failure, which /livez reports too', async () => {
    const fatal: string[] = [];
    const running = await start((failure) => fatal.push(failure));
    expect(running.failure()).to.equal(undefined);
    source.current = gaveUp;
    await eventually('onFatal', () => fatal.length === 1, 3000, 20);
    expect(fatal).to.deep.equal([gaveUp.failure]);
    expect(running.failure()).to.equal(gaveUp.failure);
    const livez = await fetch(`${running.url}/livez`);
    expect(livez.status).to.equal(503);
    expect(((await livez.json()) as { providerError: string }).providerError).to.equal(`not alive: ${gaveUp.failure}`);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(fatal, 'once').to.have.length(1);
  });

  it('without onFatal only reports it, and keeps serving', async () => {
    const running = await start();
    source.current = gaveUp;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(running.failure()).to.equal(gaveUp.failure);
    expect((await fetch(`${running.url}/livez`)).status).to.equal(503);
    expect((await fetch(`${running.url}/readyz`)).status).to.equal(503);
  });

  it('stops looking once stopped', async () => {
    const fatal: string[] = [];
    const running = await start((failure) => fatal.push(failure));
    await running.stop();
    source.current = gaveUp;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(fatal).to.deep.equal([]);
  });
});
