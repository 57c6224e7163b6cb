import type { NamespacedName } from '../domain/namespaced-name.js';
import { configDefaults } from './config-defaults.js';
import { type AnySetting, environmentSetting, parameterSetting, type SettingsReader } from './setting.js';
import { flag, httpUrlText, oneOf, text } from './setting-decoders.js';

/** Where finished workflows come from; see {@link KfpProviderConfig.workflowEvents}. */
export const workflowEventSources = ['watch', 'relay'] as const;

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
}

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
  return {
    restApiUrl,
    metadataStoreAddress,
    namespace: reader.read(settings.namespace),
    multiUserMode,
    defaultExperiment: reader.read(settings.defaultExperiment),
    tokenFile: reader.read(settings.tokenFile),
    workflowEvents: reader.read(settings.workflowEvents),
    ...(kubeConfigPath ? { kubeConfigPath } : {}),
    inCluster: reader.read(settings.inCluster) !== undefined,
  };
}
