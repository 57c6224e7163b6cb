import { ContainerModule } from 'inversify';
import type { VertexProviderConfig } from '../../config/service-config.js';
import { ServiceConfig } from '../../config/service-config.js';
import { Clock } from '../../ports/clock.js';
import { Logger } from '../../ports/logger.js';
import { Provider } from '../../ports/provider.js';
import { RunEventNormaliser } from '../../ports/run-event-normaliser.js';
import { RunEventSource } from '../../ports/run-event-source.js';
import { GcsPipelineStore } from './gcs-pipeline-store.js';
import { PubSubRunEventSource } from './pubsub-run-event-source.js';
import { normaliseGcsEndpoint, parseVertexEndpoint } from './vertex-endpoint.js';
import { VertexPipelineBackend } from './vertex-pipeline-backend.js';
import { createVertexProvider } from './vertex-provider.js';
import { VertexRunEventNormaliser } from './vertex-run-event-normaliser.js';
import { vertexServiceGax } from './vertex-service-gax.js';

function vertexSettings(config: ServiceConfig): VertexProviderConfig {
  if (!config.vai) throw new Error('the Vertex AI module needs the vai configuration (PROVIDER_TYPE=vai and its PARAMETERS_*)');
  return config.vai;
}

/**
 * Builds the Vertex AI clients. Only the pipeline and schedule service clients are loaded (the
 * package entry would load every Vertex service, far beyond the pod's memory budget), and only
 * when this module is resolved. They share a google-gax instance that loads the definitions of
 * their two services only (see {@link vertexServiceGax}). An `http://` endpoint gets plaintext
 * gRPC and no credentials; the fixed universe domain spares the clients a metadata-server lookup.
 */
async function connectVertex(settings: VertexProviderConfig): Promise<VertexPipelineBackend> {
  const [{ PipelineServiceClient }, { ScheduleServiceClient }, gax] = await Promise.all([
    import('@google-cloud/aiplatform/build/src/v1/pipeline_service_client.js'),
    import('@google-cloud/aiplatform/build/src/v1/schedule_service_client.js'),
    import('google-gax'),
  ]);
  const endpoint = parseVertexEndpoint(settings.vaiEndpoint);
  const options = {
    apiEndpoint: endpoint.host,
    port: endpoint.port,
    universeDomain: 'googleapis.com',
    ...(endpoint.plaintext ? { sslCreds: gax.grpc.credentials.createInsecure() } : {}),
  };
  const serviceGax = vertexServiceGax(gax);
  return new VertexPipelineBackend(
    { pipelines: new PipelineServiceClient(options, serviceGax), schedules: new ScheduleServiceClient(options, serviceGax) },
    { project: settings.project, location: settings.location },
  );
}

/** A resource two bindings share, closed when the last of them is deactivated. */
class SharedResource<T> {
  #value: Promise<T> | undefined;
  #users = 0;

  constructor(
    private readonly open: () => Promise<T>,
    private readonly close: (value: T) => Promise<void>,
  ) {}

  async acquire(): Promise<T> {
    this.#users += 1;
    this.#value ??= this.open();
    return this.#value;
  }

  async release(): Promise<void> {
    this.#users -= 1;
    if (this.#users > 0 || !this.#value) return;
    const value = this.#value;
    this.#value = undefined;
    await this.close(await value);
  }
}

/**
 * The Vertex AI provider's bindings: `Provider` (pipelines in GCS, jobs and schedules on Vertex
 * AI), `RunEventSource` (the Pub/Sub subscription fed by the Cloud Logging sink) and
 * `RunEventNormaliser` (log entry → fetched job → run completion). Cloud SDKs are imported when
 * the bindings are first resolved; gRPC channels and the Pub/Sub client close on deactivation.
 */
export function vertexModule(): ContainerModule {
  let backend: SharedResource<VertexPipelineBackend> | undefined;
  const sharedBackend = (config: ServiceConfig): SharedResource<VertexPipelineBackend> => {
    backend ??= new SharedResource(() => connectVertex(vertexSettings(config)), (value) => value.close());
    return backend;
  };

  return new ContainerModule((options) => {
    options
      .bind<Provider>(Provider)
      .toResolvedValue(
        async (config: ServiceConfig, clock: Clock): Promise<Provider> => {
          const settings = vertexSettings(config);
          const { Storage } = await import('@google-cloud/storage');
          // A custom endpoint gets no credentials at all (emulators, fakes).
          const storage = settings.gcsEndpoint
            ? new Storage({ apiEndpoint: normaliseGcsEndpoint(settings.gcsEndpoint), projectId: settings.project })
            : new Storage({ projectId: settings.project });
          return createVertexProvider({
            store: new GcsPipelineStore(storage.bucket(settings.pipelineBucket)),
            backend: await sharedBackend(config).acquire(),
            clock,
            providerName: config.providerName,
            jobSettings: {
              pipelineBucket: settings.pipelineBucket,
              pipelineRootStorage: config.pipelineRootStorage,
              serviceAccount: settings.jobServiceAccount,
              pscNetworkAttachment: settings.pscNetworkAttachment,
            },
            maxConcurrentRunCount: settings.maxConcurrentRunCount,
          });
        },
        [ServiceConfig, Clock],
      )
      .inSingletonScope()
      .onDeactivation(async () => backend?.release());

    options
      .bind<RunEventNormaliser>(RunEventNormaliser)
      .toResolvedValue(
        async (config: ServiceConfig): Promise<RunEventNormaliser> =>
          new VertexRunEventNormaliser(await sharedBackend(config).acquire(), config.providerName),
        [ServiceConfig],
      )
      .inSingletonScope()
      .onDeactivation(async () => backend?.release());

    options
      .bind<PubSubRunEventSource>(RunEventSource)
      .toResolvedValue(
        async (config: ServiceConfig, logger: Logger): Promise<PubSubRunEventSource> => {
          const settings = vertexSettings(config);
          const { PubSub, SubscriptionCloseBehaviors, Duration } = await import('@google-cloud/pubsub');
          // The fixed universe domain keeps the emulator client from asking a metadata server.
          const pubsub = settings.pubsubEmulatorHost
            ? new PubSub({
                projectId: settings.project,
                apiEndpoint: settings.pubsubEmulatorHost,
                emulatorMode: true,
                universeDomain: 'googleapis.com',
              })
            : new PubSub({ projectId: settings.project });
          const subscription = pubsub.subscription(settings.eventsSubscription, {
            // Hold no more than the pipeline processes at once, so nothing waits unleased.
            flowControl: { maxMessages: config.events.concurrency, allowExcessMessages: false },
            // A flow-control slot frees only when the ack batch is flushed; the 100 ms default caps throughput.
            batching: { maxMilliseconds: 10 },
            closeOptions: {
              behavior: SubscriptionCloseBehaviors.WaitForProcessing,
              timeout: Duration.from({ milliseconds: config.shutdownTimeoutMs }),
            },
          });
          return new PubSubRunEventSource({ pubsub, subscription, logger: logger.child({ component: 'pubsub-run-event-source' }) });
        },
        [ServiceConfig, Logger],
      )
      .inSingletonScope()
      .onDeactivation(async (source) => source.close());
  });
}
