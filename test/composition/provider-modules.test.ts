import { expect } from 'chai';
import { Container, type ContainerModule } from 'inversify';
import { LocalProvider } from '../../src/adapters/local/local-provider.js';
import { silentLogger } from '../../src/adapters/logging/silent-logger.js';
import { InMemoryRunEventSource } from '../../src/adapters/memory/in-memory-run-event-source.js';
import { randomIdGenerator } from '../../src/adapters/system/random-id-generator.js';
import { systemClock } from '../../src/adapters/system/system-clock.js';
import { providerModuleFor, providerModules } from '../../src/composition/provider-modules.js';
import { loadServiceConfig, narrowServiceConfig, type ServiceConfig } from '../../src/config/service-config.js';
import { Clock } from '../../src/ports/clock.js';
import { IdGenerator } from '../../src/ports/id-generator.js';
import { Logger } from '../../src/ports/logger.js';
import { Provider } from '../../src/ports/provider.js';
import { RunEventSource } from '../../src/ports/run-event-source.js';

// What the core module would bind and a provider module needs.
function containerWith(module: ContainerModule): Container {
  const container = new Container();
  container.bind(Clock).toConstantValue(systemClock);
  container.bind(IdGenerator).toConstantValue(randomIdGenerator);
  container.bind(Logger).toConstantValue(silentLogger);
  container.load(module);
  return container;
}

async function containerFor(config: ServiceConfig): Promise<Container> {
  return containerWith(await providerModuleFor(config));
}

// The table imports each module dynamically, which under the test loader can yield a second copy
// of a class than this file's static import; the checks compare class names, not instanceof.
describe('provider modules', () => {
  let container: Container | undefined;

  afterEach(async () => {
    await container?.unbindAllAsync();
    container = undefined;
  });

  it('builds the module of the kind the configuration is for, from that configuration', async () => {
    container = await containerFor(loadServiceConfig({ PARAMETERS_RUNDURATIONMS: '5' }));
    expect(container.get<object>(Provider).constructor.name).to.equal(LocalProvider.name);
    await container.unbindAllAsync();

    const kfp = loadServiceConfig({
      PROVIDERNAME: 'ops/kfp',
      PIPELINEROOTSTORAGE: 'gs://root',
      OPERATORWEBHOOK: 'http://127.0.0.1:1/events',
      PARAMETERS_RESTKFPAPIURL: 'http://127.0.0.1:1',
      PARAMETERS_GRPCMETADATASTOREADDRESS: '127.0.0.1:1',
      PARAMETERS_KFPWORKFLOWEVENTS: 'relay',
    });
    container = await containerFor(kfp);
    // Relay mode, read from the kfp slice the module closed over: no watch, an in-memory source.
    expect((await container.getAsync<object>(RunEventSource)).constructor.name).to.equal(InMemoryRunEventSource.name);
  });

  it('gives each entry only the configuration of its kind (checked by the compiler)', async () => {
    const local = loadServiceConfig({});
    // @ts-expect-error the Kubeflow entry takes a Kubeflow configuration only
    const refused = (): unknown => providerModules.kfp(local);
    expect(refused).to.be.a('function');
    container = containerWith(await providerModules.local(narrowServiceConfig(local, 'local')));
    expect(container.get<object>(Provider).constructor.name).to.equal(LocalProvider.name);
  });
});
