import type { Bucket } from '@google-cloud/storage';
import { ContainerModule } from 'inversify';
import type { VertexServiceConfig } from '../../config/service-config.js';
import type { VertexProviderConfig } from '../../config/vertex-config.js';
import { Clock } from '../../ports/clock.js';
import { Logger } from '../../ports/logger.js';
import { Provider } from '../../ports/provider.js';
import { RunEventNormaliser } from '../../ports/run-event-normaliser.js';
import { RunEventSource } from '../../ports/run-event-source.js';
import { GcsPipelineStore } from './gcs-pipeline-store.js';
import { PubSubRunEventSource, pubsubReconnectDefaults } from './pubsub-run-event-source.js';
import { normaliseGcsEndpoint, parseVertexEndpoint } from './vertex-endpoint.js';
import { type OnFirstUse, onFirstUse } from '../shared/on-first-use.js';
import { type VertexClients, VertexPipelineBackend } from './vertex-pipeline-backend.js';
import { VertexProvider } from './vertex-provider.js';
import { VertexRunEventNormaliser } from './vertex-run-event-normaliser.js';
import { pipelineJobFetcher } from './vertex-job-fetcher.js';
import { vertexServiceGax } from './vertex-service-gax.js';

/**
 * Builds the Vertex AI clients. Only the pipeline and schedule service clients are loaded (the
 * package entry would load every Vertex service, far beyond the pod's memory budget). They share
 * a google-gax instance that loads the definitions of their two services only (see
 * {@link vertexServiceGax}). An `http://` endpoint gets plaintext gRPC and no credentials; the
 * fixed universe domain spares the clients a metadata-server lookup.
 */
async function vertexClients(settings: VertexProviderConfig): Promise<VertexClients> {
  const { PipelineServiceClient, ScheduleServiceClient, gax } = await import('./vertex-sdk.js');
  const endpoint = parseVertexEndpoint(settings.vaiEndpoint);
  const options = {
    apiEndpoint: endpoint.host,
    port: endpoint.port,
    universeDomain: 'googleapis.com',
    ...(endpoint.plaintext ? { sslCreds: gax.grpc.credentials.createInsecure() } : {}),
  };
  const serviceGax = vertexServiceGax(gax);
  const pipelines = new PipelineServiceClient(options, serviceGax);
  return {
    pipelines,
    schedules: new ScheduleServiceClient(options, serviceGax),
    fetchPipelineJob: await pipelineJobFetcher(pipelines, serviceGax),
  };
}

/**
 * The bucket holding compiled pipelines; a custom endpoint gets no credentials (emulators, fakes).
 * Each HTTP request gets the backend deadline as its timeout, and retries stop once it is spent,
 * so that a call the store cuts off also ends its socket.
 */
async function pipelineBucket(settings: VertexProviderConfig, timeoutMs: number): Promise<Bucket> {
  const { Storage } = await import('@google-cloud/storage');
  const deadline = { projectId: settings.project, timeout: timeoutMs, retryOptions: { totalTimeout: timeoutMs / 1000 } };
  const storage = settings.gcsEndpoint
    ? new Storage({ ...deadline, apiEndpoint: normaliseGcsEndpoint(settings.gcsEndpoint) })
    : new Storage(deadline);
  return storage.bucket(settings.pipelineBucket);
}

/** Messages the Pub/Sub client may hold per event pipeline slot (see the subscription options). */
const pubsubPrefetchPerSlot = 32;

/**
 * The Vertex AI provider's bindings: `Provider` (pipelines in GCS, jobs and schedules on Vertex
 * AI), `RunEventSource` (the Pub/Sub subscription fed by the Cloud Logging sink) and
 * `RunEventNormaliser` (log entry → fetched job → run completion). Cloud SDKs are imported when
 * the bindings are first resolved; gRPC channels and the Pub/Sub client close on deactivation.
 */
export function vertexModule(config: VertexServiceConfig): ContainerModule {
  const settings = config.vai;
  // The gRPC clients and the storage client are built on first use, not at start-up: building
  // them (module loading, protocol definitions) takes longer than everything else the service
  // does before it is ready, and neither is needed to receive events.
  let clients: OnFirstUse<VertexClients> | undefined;
  const sharedClients = (settings: VertexProviderConfig): OnFirstUse<VertexClients> => {
    clients ??= onFirstUse(
      () => vertexClients(settings),
      async ({ pipelines, schedules }) => {
        await Promise.all([pipelines.close(), schedules.close()]);
      },
    );
    return clients;
  };
  const backendFor = (settings: VertexProviderConfig): VertexPipelineBackend =>
    new VertexPipelineBackend(() => sharedClients(settings).get(), {
      project: settings.project,
      location: settings.location,
      callTimeoutMs: config.backendTimeoutMs,
    });

  return new ContainerModule((options) => {
    options
      .bind<Provider>(Provider)
      .toResolvedValue(
        (clock: Clock): Provider => {
          const bucket = onFirstUse(
            () => pipelineBucket(settings, config.backendTimeoutMs),
            async () => undefined,
          );
          return new VertexProvider({
            store: new GcsPipelineStore(settings.pipelineBucket, () => bucket.get(), { timeoutMs: config.backendTimeoutMs }),
            backend: backendFor(settings),
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
        [Clock],
      )
      .inSingletonScope()
      .onDeactivation(async () => clients?.close());

    options
      .bind<RunEventNormaliser>(RunEventNormaliser)
      .toResolvedValue((): RunEventNormaliser => new VertexRunEventNormaliser(backendFor(settings), config.providerName))
      .inSingletonScope()
      .onDeactivation(async () => clients?.close());

    options
      .bind<PubSubRunEventSource>(RunEventSource)
      .toResolvedValue(
        async (logger: Logger): Promise<PubSubRunEventSource> => {
          const { PubSub, SubscriptionCloseBehaviors, Duration } = await import('./pubsub-sdk.js');
          // The gRPC channel's reconnect backoff grows to 120 s by default: after an outage that
          // long, the channel would stay down for up to two minutes after Pub/Sub came back.
          const channel = { 'grpc.max_reconnect_backoff_ms': pubsubReconnectDefaults.maxDelayMs };
          // The fixed universe domain keeps the emulator client from asking a metadata server.
          const pubsub = settings.pubsubEmulatorHost
            ? new PubSub({
                projectId: settings.project,
                apiEndpoint: settings.pubsubEmulatorHost,
                emulatorMode: true,
                universeDomain: 'googleapis.com',
                ...channel,
              })
            : new PubSub({ projectId: settings.project, ...channel });
          const subscriptionOptions = {
            // The client keeps the lease of every message it holds, so holding more than the
            // pipeline processes at once is safe; holding only that many is not fast: each slot
            // then waits for a stream resume, which capped a drain of the emulator at about 480
            // messages/s with 8 slots against about 6,000/s with 256. The pipeline's own
            // concurrency still bounds the work in flight. The messages waiting for a retry stay
            // held too (their lease is what keeps them), so they come on top: otherwise enough
            // failing events would use up the client's allowance and stall the healthy ones.
            flowControl: {
              maxMessages: config.events.concurrency * pubsubPrefetchPerSlot + config.events.maxAwaitingRetry,
              allowExcessMessages: false,
            },
            // The client stops extending a held message's lease after 60 minutes by default, and
            // Pub/Sub would then hand an event that is still waiting for its retry to another
            // replica; the pipeline holds an event for up to EVENTS_MAX_AGE_MS, so the lease does too.
            maxExtensionTime: Duration.from({ milliseconds: config.events.maxAgeMs }),
            // A flow-control slot frees only when the ack batch is flushed; the 100 ms default caps throughput.
            batching: { maxMilliseconds: 10 },
            streamingOptions: {
              // One streaming pull carries far more run events than a pipeline produces; each
              // further stream (the client opens 5) costs memory and CPU for nothing.
              maxStreams: 1,
              // The client retries a failed stream with a backoff of up to 60 s by default, so
              // reception could resume a minute after Pub/Sub is back; the source's own checks
              // run at most this far apart too.
              retryMaxBackoff: Duration.from({ milliseconds: pubsubReconnectDefaults.maxDelayMs }),
            },
            closeOptions: {
              behavior: SubscriptionCloseBehaviors.WaitForProcessing,
              timeout: Duration.from({ milliseconds: config.shutdownTimeoutMs }),
            },
          };
          return new PubSubRunEventSource({
            pubsub,
            subscribe: () => pubsub.subscription(settings.eventsSubscription, subscriptionOptions),
            logger: logger.child({ component: 'pubsub-run-event-source' }),
            reconnect: { budgetMs: config.events.sourceReconnectBudgetMs },
          });
        },
        [Logger],
      )
      .inSingletonScope()
      .onDeactivation(async (source) => source.close());
  });
}
