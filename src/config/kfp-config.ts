import { type LeaderElectionTiming, leaderElectionDefaults, leaderElectionTimingProblems } from '../domain/leader-election.js';
import type { NamespacedName } from '../domain/namespaced-name.js';
import { configDefaults } from './config-defaults.js';
import { type AnySetting, environmentSetting, parameterSetting, type SettingsReader } from './setting.js';
import { flag, httpUrlText, oneOf, text, wholeNumber } from './setting-decoders.js';

/** Where finished workflows come from; see {@link KfpProviderConfig.workflowEvents}. */
export const workflowEventSources = ['watch', 'relay'] as const;

/** Leader election of the workflow watch among the replicas of one provider. */
export interface KfpLeaderElectionConfig {
  /** The Lease's name (`KFP_LEASE_NAME`); by default `provider-{name}` of `PROVIDERNAME`. */
  readonly leaseName: string;
  /**
   * The Lease's namespace (`KFP_LEASE_NAMESPACE`); by default the namespace of `PROVIDERNAME`.
   * `""` when neither names one: then the kube config's namespace is used.
   */
  readonly leaseNamespace: string;
  /** This replica's holder identity (`KFP_LEASE_HOLDER_IDENTITY`, else `HOSTNAME`, the pod name); unset when neither is set. */
  readonly holderIdentity?: string;
  /** Lease duration, renew deadline and retry period (`KFP_LEASE_*_MS`). */
  readonly timing: LeaderElectionTiming;
}

/** Settings of the Kubeflow Pipelines provider (`kfp`). */
export interface KfpProviderConfig {
  /** Base URL of the KFP API server's REST port (`restKfpApiUrl`). */
  readonly restApiUrl: string;
  /** ML Metadata gRPC `host:port`, plaintext (`grpcMetadataStoreAddress`). */
  readonly metadataStoreAddress: string;
  /**
   * Namespace whose Argo Workflows are watched; `""` (the default) watches every namespace, as the
   * Go provider does, which KFP multi-user mode needs because runs live in profile namespaces.
   */
  readonly namespace: string;
  /** Multi-user Kubeflow: bearer token, experiments in the provider namespace (`kfpMultiUserMode`). */
  readonly multiUserMode: boolean;
  /** Experiment used when a run names none (`defaultExperiment`). */
  readonly defaultExperiment: string;
  /** Bearer token file read in multi-user mode. */
  readonly tokenFile: string;
  /**
   * Where finished workflows come from: `watch` lists and watches them (needs RBAC on
   * workflows), `relay` only takes what an Argo Events sensor POSTs to `/events/argo-workflows`.
   */
  readonly workflowEvents: (typeof workflowEventSources)[number];
  /** The kubeconfig file of the workflow watch (`KUBECONFIG`); unset = the in-cluster service account. */
  readonly kubeConfigPath?: string;
  /** Whether the service runs in a Kubernetes pod (`KUBERNETES_SERVICE_HOST` is set), so an in-cluster configuration exists. */
  readonly inCluster: boolean;
  /**
   * In watch mode, the election of the one replica that watches (`KFP_LEADER_ELECTION`, on by
   * default); absent in relay mode and when turned off, where every replica would watch.
   */
  readonly leaderElection?: KfpLeaderElectionConfig;
}

/** Kubernetes object names are DNS-1123 subdomains: at most 253 characters. */
const maxObjectNameLength = 253;

const settings = {
  restApiUrl: parameterSetting('restKfpApiUrl', 'string', {
    doc: 'base URL of the KFP API server REST port',
    decoder: httpUrlText,
    secret: false,
  }),
  // Read by nothing: this service speaks the REST API, but existing Provider resources set it.
  grpcApiAddress: parameterSetting('grpcKfpApiAddress', 'string', {
    doc: 'KFP gRPC address; accepted for compatibility with existing Provider resources, unused',
    decoder: text('host:port'),
    secret: false,
  }),
  metadataStoreAddress: parameterSetting('grpcMetadataStoreAddress', 'string', {
    doc: 'ML Metadata gRPC host:port',
    decoder: text('host:port of the ML Metadata gRPC service'),
    secret: false,
  }),
  namespace: parameterSetting('kfpNamespace', 'string', {
    doc: 'namespace whose Argo Workflows are watched; empty or unset = all namespaces, which multi-user mode needs',
    decoder: text('a namespace'),
    secret: false,
    defaultValue: configDefaults.kfpNamespace,
  }),
  multiUserMode: parameterSetting('kfpMultiUserMode', 'boolean', {
    doc: 'multi-user Kubeflow: bearer token and namespaced experiments',
    decoder: flag,
    secret: false,
    defaultValue: false,
  }),
  defaultExperiment: parameterSetting('defaultExperiment', 'string', {
    doc: 'experiment used when a run names none',
    decoder: text('an experiment name'),
    secret: false,
    defaultValue: '',
  }),
  workflowEvents: parameterSetting('kfpWorkflowEvents', 'string', {
    doc: 'where finished workflows come from: watch (list+watch, needs RBAC) or relay (Argo Events only)',
    decoder: oneOf(workflowEventSources),
    secret: false,
    defaultValue: configDefaults.kfpWorkflowEvents,
  }),
  tokenFile: environmentSetting('KFP_TOKEN_FILE', {
    doc: 'bearer token file in Kubeflow multi-user mode',
    decoder: text('a file path'),
    secret: false,
    defaultValue: configDefaults.kfpTokenFile,
  }),
  kubeConfigPath: environmentSetting('KUBECONFIG', {
    doc: "kubeconfig file(s), ':'-separated, of the workflow watch; unset = the pod's in-cluster service account (never ~/.kube/config)",
    decoder: text('the path of a kubeconfig file'),
    secret: false,
  }),
  inCluster: environmentSetting('KUBERNETES_SERVICE_HOST', {
    doc: 'set by Kubernetes in every pod; tells that the in-cluster service account can be used',
    decoder: text('a host name or address'),
    secret: false,
  }),
  leaderElection: environmentSetting('KFP_LEADER_ELECTION', {
    doc: 'in watch mode, elect one replica by Kubernetes Lease to watch workflows; false = every replica watches (one replica only)',
    secret: false,
    decoder: flag,
    defaultValue: true,
  }),
  leaseName: environmentSetting('KFP_LEASE_NAME', {
    doc: 'name of the Lease of the workflow watch',
    secret: false,
    decoder: text('a Kubernetes object name'),
    defaultText: 'provider-{name of PROVIDERNAME}',
  }),
  leaseNamespace: environmentSetting('KFP_LEASE_NAMESPACE', {
    doc: 'namespace of the Lease of the workflow watch',
    secret: false,
    decoder: text('a namespace'),
    defaultText: "the namespace of PROVIDERNAME, else the kube config's",
  }),
  leaseHolderIdentity: environmentSetting('KFP_LEASE_HOLDER_IDENTITY', {
    doc: "this replica's name in the Lease; unique per replica",
    secret: false,
    decoder: text('a name'),
    defaultText: 'HOSTNAME',
  }),
  hostname: environmentSetting('HOSTNAME', {
    doc: 'set in every pod to the pod name; the default lease holder identity (unset = host name and a random suffix)',
    secret: false,
    decoder: text('a host name'),
  }),
  // client-go's defaults: a crashed leader is replaced within 15 s, and a leader that cannot renew
  // stops watching after 10 s, 5 s before anybody may take over.
  leaseDurationMs: environmentSetting('KFP_LEASE_DURATION_MS', {
    doc: 'how long a standby waits after the last renewal it saw before taking the lease over',
    secret: false,
    decoder: wholeNumber(1000),
    defaultValue: leaderElectionDefaults.leaseDurationMs,
  }),
  leaseRenewDeadlineMs: environmentSetting('KFP_LEASE_RENEW_DEADLINE_MS', {
    doc: 'how long the leader keeps trying to renew before it stops watching; less than KFP_LEASE_DURATION_MS',
    secret: false,
    decoder: wholeNumber(1),
    defaultValue: leaderElectionDefaults.renewDeadlineMs,
  }),
  leaseRetryPeriodMs: environmentSetting('KFP_LEASE_RETRY_PERIOD_MS', {
    doc: 'how often the leader renews and (with jitter) a standby tries to acquire',
    secret: false,
    decoder: wholeNumber(1),
    defaultValue: leaderElectionDefaults.retryPeriodMs,
  }),
};

/** The Kubeflow provider's rows of the settings table. */
export const kfpSettings: readonly AnySetting[] = Object.freeze(Object.values(settings));

/**
 * Reads the Kubeflow slice, recording what is missing or invalid in `reader`. `providerName` is
 * the common setting, which multi-user mode needs a namespace in.
 */
export function readKfpConfig(reader: SettingsReader, providerName: NamespacedName): KfpProviderConfig {
  const restApiUrl = reader.require(settings.restApiUrl, 'for the kfp provider') ?? '';
  const metadataStoreAddress = reader.require(settings.metadataStoreAddress, 'for the kfp provider') ?? '';
  const multiUserMode = reader.read(settings.multiUserMode);
  if (multiUserMode && providerName.namespace === '') {
    reader.report('PROVIDERNAME', `PROVIDERNAME must be "namespace/name" when ${settings.multiUserMode.variable} is true`);
  }
  const kubeConfigPath = reader.read(settings.kubeConfigPath);
  const workflowEvents = reader.read(settings.workflowEvents);
  const leaderElection = workflowEvents === 'watch' ? readLeaderElection(reader, providerName) : undefined;
  return {
    restApiUrl,
    metadataStoreAddress,
    namespace: reader.read(settings.namespace),
    multiUserMode,
    defaultExperiment: reader.read(settings.defaultExperiment),
    tokenFile: reader.read(settings.tokenFile),
    workflowEvents,
    ...(kubeConfigPath ? { kubeConfigPath } : {}),
    inCluster: reader.read(settings.inCluster) !== undefined,
    ...(leaderElection ? { leaderElection } : {}),
  };
}

function readLeaderElection(reader: SettingsReader, providerName: NamespacedName): KfpLeaderElectionConfig | undefined {
  if (!reader.read(settings.leaderElection)) return undefined;
  const leaseName = reader.read(settings.leaseName) ?? `provider-${providerName.name}`;
  if (leaseName.length > maxObjectNameLength) {
    reader.report(
      settings.leaseName.variable,
      `${settings.leaseName.variable}: the Lease name "${leaseName.slice(0, 60)}…" is longer than ${maxObjectNameLength} characters; set a shorter one`,
    );
  }
  const timing = {
    leaseDurationMs: reader.read(settings.leaseDurationMs),
    renewDeadlineMs: reader.read(settings.leaseRenewDeadlineMs),
    retryPeriodMs: reader.read(settings.leaseRetryPeriodMs),
  };
  const problems = leaderElectionTimingProblems(timing);
  if (problems.length > 0) {
    const given = `${settings.leaseDurationMs.variable}=${timing.leaseDurationMs}, ${settings.leaseRenewDeadlineMs.variable}=${timing.renewDeadlineMs}, ${settings.leaseRetryPeriodMs.variable}=${timing.retryPeriodMs}`;
    reader.report(settings.leaseRenewDeadlineMs.variable, `${given}: ${problems.join('; ')}`);
  }
  const holderIdentity = reader.read(settings.leaseHolderIdentity) ?? reader.read(settings.hostname);
  return {
    leaseName,
    leaseNamespace: reader.read(settings.leaseNamespace) ?? providerName.namespace,
    ...(holderIdentity ? { holderIdentity } : {}),
    timing,
  };
}
