import { Container } from 'inversify';
import { loadServiceConfig, narrowServiceConfig, ServiceConfig } from '../../../src/config/service-config.js';
import { vertexModule } from '../../../src/adapters/vertex/vertex-module.js';
import { Clock } from '../../../src/ports/clock.js';
import { Logger } from '../../../src/ports/logger.js';
import { RecordingLogger } from '../../support/recording-logger.js';

/** The fixed "now" of Vertex adapter tests. */
export const testNow = new Date('2030-01-01T00:00:00Z');

/** Endpoints of the fakes a test container talks to. */
export interface VertexTestEndpoints {
  readonly vaiEndpoint?: string;
  readonly gcsEndpoint?: string;
  readonly pubsubEmulatorHost?: string;
  readonly subscription?: string;
  readonly concurrency?: number;
}

/**
 * A container with the real Vertex module, configured the way the operator configures the
 * service (environment variables through the real configuration parser), pointed at fakes.
 */
export function vertexTestContainer(endpoints: VertexTestEndpoints, logger = new RecordingLogger()): Container {
  const config = loadServiceConfig({
    PROVIDER_TYPE: 'vai',
    PROVIDERNAME: 'ops/vertex-provider',
    PIPELINEROOTSTORAGE: 'gs://pipeline-root',
    // The module binds no sink; the tests that need one bring a real webhook receiver.
    OPERATORWEBHOOK: 'http://127.0.0.1:1/events',
    PARAMETERS_VAIPROJECT: 'test-project',
    PARAMETERS_VAILOCATION: 'europe-west2',
    PARAMETERS_VAIJOBSERVICEACCOUNT: 'runner@test-project.iam.gserviceaccount.com',
    PARAMETERS_PIPELINEBUCKET: 'pipelines',
    PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION: endpoints.subscription ?? 'pipeline-events',
    PARAMETERS_MAXCONCURRENTRUNCOUNT: '3',
    EVENTS_CONCURRENCY: String(endpoints.concurrency ?? 4),
    SHUTDOWN_TIMEOUT_MS: '2000',
    ...(endpoints.vaiEndpoint ? { PARAMETERS_VAIENDPOINT: endpoints.vaiEndpoint } : {}),
    ...(endpoints.gcsEndpoint ? { PARAMETERS_GCSENDPOINT: endpoints.gcsEndpoint } : {}),
    ...(endpoints.pubsubEmulatorHost ? { PUBSUB_EMULATOR_HOST: endpoints.pubsubEmulatorHost } : {}),
  });
  const container = new Container();
  container.bind(ServiceConfig).toConstantValue(config);
  container.bind(Logger).toConstantValue(logger);
  container.bind(Clock).toConstantValue({ now: () => testNow });
  container.load(vertexModule(narrowServiceConfig(config, 'vai')));
  return container;
}
