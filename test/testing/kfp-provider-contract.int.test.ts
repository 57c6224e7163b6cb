import { Container } from 'inversify';
import { kfpModule } from '../../src/adapters/kfp/kfp-module.js';
import { silentLogger } from '../../src/adapters/logging/silent-logger.js';
import { systemClock } from '../../src/adapters/system/system-clock.js';
import { loadServiceConfig, narrowServiceConfig, ServiceConfig } from '../../src/config/service-config.js';
import { Clock } from '../../src/ports/clock.js';
import { Logger } from '../../src/ports/logger.js';
import { Provider } from '../../src/ports/provider.js';
import { validRequestBodies } from '../../src/testing/contract-request-bodies.js';
import { describeProviderContract } from '../../src/testing/describe-provider-contract.js';
import { FakeKfpServer } from '../adapters/kfp/fake-kfp-server.js';
import { kfpTestEnvironment } from '../adapters/kfp/kfp-test-environment.js';

// KFP refuses run parameters the pipeline version does not declare, so the contract pipeline
// declares the run's `learningRate`; the run and schedule name the contract experiment, which the
// suite then creates through the API before them.
const bodies = {
  pipeline: {
    ...validRequestBodies.pipeline,
    compiledPipeline: {
      pipelineInfo: { name: 'contract-pipeline' },
      root: { dag: { tasks: {} }, inputDefinitions: { parameters: { learningRate: { parameterType: 'STRING' } } } },
      schemaVersion: '2.1.0',
      sdkVersion: 'kfp-2.7.0',
    },
  },
  run: { ...validRequestBodies.run, experimentName: 'contract/experiment' },
  runschedule: { ...validRequestBodies.runschedule, experimentName: 'contract/experiment' },
};

// The contract suite against the real Kubeflow provider, built by its module from the operator's
// configuration, talking to the in-test KFP REST server. Only the Provider binding is resolved,
// so neither the Argo watch nor the ML Metadata channel is opened.
describe('Kubeflow provider against an in-test KFP REST server', function kfpContract() {
  let kfp: FakeKfpServer | undefined;
  let container: Container | undefined;

  before(async function startServer() {
    kfp = await new FakeKfpServer().start();
  });

  after(async function stopServer() {
    await kfp?.stop();
  });

  describeProviderContract(
    'kfp',
    async () => {
      if (!kfp) throw new Error('the in-test KFP server did not start');
      const config = loadServiceConfig(kfpTestEnvironment(kfp.url));
      container = new Container();
      container.bind(ServiceConfig).toConstantValue(config);
      container.bind(Logger).toConstantValue(silentLogger);
      container.bind(Clock).toConstantValue(systemClock);
      container.load(kfpModule(narrowServiceConfig(config, 'kfp')));
      return container.getAsync<Provider>(Provider);
    },
    { bodies, dispose: async () => container?.unbindAllAsync() },
  );
});
