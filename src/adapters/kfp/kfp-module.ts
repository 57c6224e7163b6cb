import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import { ContainerModule } from 'inversify';
import type { KfpLeaderElectionConfig, KfpProviderConfig } from '../../config/kfp-config.js';
import type { KfpServiceConfig } from '../../config/service-config.js';
import { Clock } from '../../ports/clock.js';
import { HttpRouteContribution } from '../../ports/http-route-contribution.js';
import { LeadershipMetrics } from '../../ports/leadership-metrics.js';
import { Logger } from '../../ports/logger.js';
import { Provider } from '../../ports/provider.js';
import { RunEventNormaliser } from '../../ports/run-event-normaliser.js';
import { RunEventSource } from '../../ports/run-event-source.js';
import { SingleEventProcessor } from '../../ports/single-event-processor.js';
import { ArgoEventsRelay } from './argo-events-relay.js';
import { ArgoWorkflowEventSource } from './argo-workflow-event-source.js';
import { loadKubeConfig } from './kube-config.js';
import { InMemoryRunEventSource } from '../memory/in-memory-run-event-source.js';
import { type OnFirstUse, onFirstUse } from '../shared/on-first-use.js';
import { FileBearerToken } from './file-bearer-token.js';
import { KfpApiClient } from './kfp-api-client.js';
import { KfpProvider } from './kfp-provider.js';
import { KfpRestTransport } from './kfp-rest-transport.js';
import { KfpRunEventNormaliser } from './kfp-run-event-normaliser.js';
import { KubernetesLeaseElector } from './kubernetes-lease-elector.js';
import { LeaderElectedRunEventSource } from './leader-elected-run-event-source.js';

// A container without the core bindings (a test of this module alone) reports leadership nowhere.
const unreportedLeadership: LeadershipMetrics = { setLeader: () => undefined, countLeadershipAcquired: () => undefined };

/**
 * The KFP REST client. In multi-user mode the token file is read first, so an unreadable token
 * stops start-up with a message naming the file.
 */
async function connectKfp(settings: KfpProviderConfig, timeoutMs: number, logger: Logger, clock: Clock): Promise<KfpApiClient> {
  const token = settings.multiUserMode
    ? await FileBearerToken.load({ path: settings.tokenFile, clock, logger: logger.child({ component: 'kfp-token' }) })
    : undefined;
  return new KfpApiClient(
    new KfpRestTransport({ baseUrl: settings.restApiUrl, timeoutMs, ...(token ? { token: () => token.value() } : {}) }),
  );
}

/**
 * The workflow watch of watch mode. With leader election (the default) only the replica holding
 * the Lease watches, a fresh watch per term of leadership; without it, this replica always does.
 */
function workflowWatch(
  settings: KfpProviderConfig,
  reconnectBudgetMs: number,
  logger: Logger,
  clock: Clock,
  metrics: LeadershipMetrics,
): RunEventSource {
  const kubeConfig = loadKubeConfig(settings.kubeConfigPath, { inCluster: settings.inCluster });
  const watch = (): RunEventSource =>
    new ArgoWorkflowEventSource({
      kubeConfig,
      namespace: settings.namespace,
      logger: logger.child({ component: 'argo-workflow-event-source' }),
      clock,
      reconnectBudgetMs,
    });
  const election = settings.leaderElection;
  if (!election) return watch();
  return new LeaderElectedRunEventSource({
    elector: new KubernetesLeaseElector({
      kubeConfig,
      lease: { namespace: election.leaseNamespace || contextNamespace(kubeConfig), name: election.leaseName },
      identity: holderIdentity(election),
      timing: election.timing,
      clock,
      logger: logger.child({ component: 'leader-election' }),
      metrics,
    }),
    createSource: watch,
    logger: logger.child({ component: 'argo-workflow-watch' }),
  });
}

// A PROVIDERNAME without a namespace leaves the Lease to the kube config's namespace (in a pod,
// the ServiceAccount's), as kubectl would.
function contextNamespace(kubeConfig: KubeConfig): string {
  return kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace || 'default';
}

// Outside a pod (no HOSTNAME) the host name alone could be shared by several processes, and two
// replicas with one identity would both believe they hold the lease.
function holderIdentity(election: KfpLeaderElectionConfig): string {
  return election.holderIdentity ?? `${hostname()}-${randomUUID().slice(0, 8)}`;
}

/**
 * The Kubeflow Pipelines provider's bindings: `Provider` (KFP REST API), `RunEventSource` (watch
 * of finished KFP Argo Workflows, on the replica elected by Lease), `RunEventNormaliser` (workflow → KFP run + ML Metadata → run
 * completion) and the `HttpRouteContribution` `POST /events/argo-workflows` (the Argo Events
 * relay, fed through the running event pipeline). The MLMD channel closes and the watch stops on
 * deactivation.
 */
export function kfpModule(config: KfpServiceConfig): ContainerModule {
  const settings = config.kfp;
  // Shared by the provider and the normaliser; a failed opening (an unreadable token) is tried
  // again by the next resolution instead of being remembered.
  let api: OnFirstUse<KfpApiClient> | undefined;
  const sharedApi = (logger: Logger, clock: Clock): Promise<KfpApiClient> => {
    api ??= onFirstUse(() => connectKfp(settings, config.backendTimeoutMs, logger, clock));
    return api.get();
  };

  return new ContainerModule((options) => {
    options
      .bind<Provider>(Provider)
      .toResolvedValue(
        async (logger: Logger, clock: Clock): Promise<Provider> => {
          return new KfpProvider({
            api: await sharedApi(logger, clock),
            providerName: config.providerName,
            pipelineRootStorage: config.pipelineRootStorage,
            defaultExperiment: settings.defaultExperiment,
            multiUserMode: settings.multiUserMode,
            logger: logger.child({ component: 'kfp-provider' }),
          });
        },
        [Logger, Clock],
      )
      .inSingletonScope();

    // grpc-js, proto-loader and the MLMD definitions are loaded with the first event, not at
    // start-up: they took about a fifth of the start-up of a kfp service and no readiness needs them.
    const mlmd = onFirstUse(
      async () => {
        const { MlmdGrpcClient } = await import('./mlmd-grpc-client.js');
        return new MlmdGrpcClient({ address: settings.metadataStoreAddress, timeoutMs: config.backendTimeoutMs });
      },
      async (client) => client.close(),
    );
    options
      .bind<RunEventNormaliser>(RunEventNormaliser)
      .toResolvedValue(
        async (logger: Logger, clock: Clock): Promise<RunEventNormaliser> => {
          const components = { pipelineComponents: async (runId: string) => (await mlmd.get()).pipelineComponents(runId) };
          return new KfpRunEventNormaliser({ api: await sharedApi(logger, clock), mlmd: components, provider: config.providerName, clock });
        },
        [Logger, Clock],
      )
      .inSingletonScope()
      .onDeactivation(() => mlmd.close());

    // In relay mode the service holds no watch rights: events arrive only through the relay
    // route, and the pipeline's own source stays empty.
    options
      .bind<RunEventSource>(RunEventSource)
      .toResolvedValue(
        (logger: Logger, clock: Clock, metrics: LeadershipMetrics | undefined): RunEventSource =>
          settings.workflowEvents === 'relay'
            ? new InMemoryRunEventSource({ clock })
            : workflowWatch(settings, config.events.sourceReconnectBudgetMs, logger, clock, metrics ?? unreportedLeadership),
        [Logger, Clock, { serviceIdentifier: LeadershipMetrics, optional: true }],
      )
      .inSingletonScope()
      .onDeactivation(async (source) => source.stop());

    options
      .bind<HttpRouteContribution>(HttpRouteContribution)
      .toResolvedValue((processor: SingleEventProcessor) => new ArgoEventsRelay(processor), [SingleEventProcessor])
      .inSingletonScope();
  });
}
