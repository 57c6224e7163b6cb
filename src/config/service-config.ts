import { type LogLevel, logLevels } from '../ports/logger.js';
import { formatNamespacedName, type NamespacedName, parseNamespacedName } from '../domain/namespaced-name.js';
import { knownParameters, type ParameterValue, readProviderParameters } from './provider-parameters.js';

/** The provider kinds this service can run. */
export const providerTypes = ['local', 'vai', 'kfp'] as const;

/** One of {@link providerTypes}. */
export type ProviderType = (typeof providerTypes)[number];

/** A configuration problem; the message names the variable and the expected form. */
export class ConfigError extends Error {
  constructor(
    /** The environment variable at fault. */
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Settings of the embedded local provider. */
export interface LocalProviderConfig {
  /** How long a run takes before it completes. */
  readonly runDurationMs: number;
  /** Root of the artifact URIs local runs report. */
  readonly artifactRoot: string;
}

/** Settings of the Vertex AI provider (`vai`). */
export interface VertexProviderConfig {
  /** Google Cloud project of Vertex AI and Pub/Sub (`vaiProject`). */
  readonly project: string;
  /** Vertex AI region (`vaiLocation`). */
  readonly location: string;
  /** Service account pipeline jobs run as (`vaiJobServiceAccount`); empty for the default. */
  readonly jobServiceAccount: string;
  /** Bucket holding compiled pipelines (`pipelineBucket`). */
  readonly pipelineBucket: string;
  /** Pub/Sub subscription the Cloud Logging sink feeds (`eventsourcePipelineEventsSubscription`). */
  readonly eventsSubscription: string;
  /** Max concurrent runs per schedule; 10 when missing or not positive. */
  readonly maxConcurrentRunCount: number;
  /** Private Service Connect network attachment for jobs; empty for none. */
  readonly pscNetworkAttachment: string;
  /** Vertex AI gRPC endpoint; `http://host:port` means plaintext without credentials. */
  readonly vaiEndpoint: string;
  /** GCS endpoint override (`gcsEndpoint` or `STORAGE_EMULATOR_HOST`); no credentials when set. */
  readonly gcsEndpoint?: string;
  /** Pub/Sub emulator `host:port` (`PUBSUB_EMULATOR_HOST`); no credentials when set. */
  readonly pubsubEmulatorHost?: string;
}

/** Settings of the Kubeflow Pipelines provider (`kfp`). */
export interface KfpProviderConfig {
  /** Base URL of the KFP API server's REST port (`restKfpApiUrl`). */
  readonly restApiUrl: string;
  /** Accepted for compatibility with existing Provider resources; unused. */
  readonly grpcApiAddress: string;
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
  readonly workflowEvents: 'watch' | 'relay';
}

/** Settings of the run completion event pipeline and the webhook sink. */
export interface EventsConfig {
  /** Messages processed at once. */
  readonly concurrency: number;
  /** How long a failing event is retried before it is logged and dropped. */
  readonly maxAgeMs: number;
  /** First retry delay; doubles up to `retryMaxMs`, with jitter. */
  readonly retryInitialMs: number;
  /** Largest retry delay. */
  readonly retryMaxMs: number;
  /** Timeout of one webhook request. */
  readonly webhookTimeoutMs: number;
}

/** The whole service configuration, parsed once from the environment and frozen. */
export interface ServiceConfig {
  /** Which provider runs (`PROVIDER_TYPE`, or inferred from the parameters). */
  readonly providerType: ProviderType;
  /** The Provider resource (`PROVIDERNAME`), reported in every event and run label. */
  readonly providerName: NamespacedName;
  /** Pipeline root storage (`PIPELINEROOTSTORAGE`); empty only on the local provider. */
  readonly pipelineRootStorage: string;
  /** Where run completion events go; unset (local provider only) means they are logged. */
  readonly operatorWebhook?: URL;
  /** API listen address (`SERVER_HOST`, `SERVER_PORT`). */
  readonly server: { readonly host: string; readonly port: number };
  /** Prometheus `/metrics` port (`METRICS_PORT`). */
  readonly metricsPort: number;
  /** Largest accepted request body (`HTTP_BODY_LIMIT_BYTES`). */
  readonly bodyLimitBytes: number;
  /** How long SIGTERM waits for in-flight work (`SHUTDOWN_TIMEOUT_MS`). */
  readonly shutdownTimeoutMs: number;
  /**
   * How long after SIGTERM the API keeps serving, answering `/readyz` with 503, before it stops
   * accepting connections (`SHUTDOWN_DELAY_MS`), so that Kubernetes takes the pod out of its
   * Service before the port closes.
   */
  readonly shutdownDelayMs: number;
  /** Least severe level logged (`LOG_LEVEL`). */
  readonly logLevel: LogLevel;
  /** The event pipeline and webhook sink. */
  readonly events: EventsConfig;
  /** Every `PARAMETERS_<KEY>`, camelCase keys, typed values. */
  readonly parameters: Readonly<Record<string, ParameterValue>>;
  /** Present when the local provider runs. */
  readonly local?: LocalProviderConfig;
  /** Present when the Vertex AI provider runs. */
  readonly vai?: VertexProviderConfig;
  /** Present when the Kubeflow Pipelines provider runs. */
  readonly kfp?: KfpProviderConfig;
}

/** One documented environment variable, for `--help`. */
export interface VariableDoc {
  readonly name: string;
  readonly doc: string;
  readonly defaultValue?: string;
}

/** The default of every setting; library factories use the same values as the service. */
export const configDefaults = Object.freeze({
  serverHost: '0.0.0.0',
  serverPort: 8080,
  // The operator's own default for the metrics port.
  metricsPort: 8081,
  // Compiled pipelines can be several MB; 32 MiB leaves room for the largest TFX pipelines.
  bodyLimitBytes: 32 * 1024 * 1024,
  // Kubernetes waits 30 s before SIGKILL; 5 s keeps rollouts quick while in-flight calls finish.
  shutdownTimeoutMs: 5000,
  // Off by default: the operator's own Deployment sets no longer grace period than usual.
  shutdownDelayMs: 0,
  eventsConcurrency: 8,
  // An operator outage of up to a day is survivable without losing events.
  eventsMaxAgeMs: 24 * 60 * 60 * 1000,
  retryInitialMs: 1000,
  retryMaxMs: 60_000,
  webhookTimeoutMs: 10_000,
  localRunDurationMs: 2000,
  localArtifactRoot: 'file:///tmp/kfp-local',
  localProviderName: 'local',
  vaiMaxConcurrentRunCount: 10,
  // Empty watches every namespace: in KFP multi-user mode runs live in the profile namespaces.
  kfpNamespace: '',
  kfpTokenFile: '/var/run/secrets/kfp/token',
});

/** Every environment variable the service reads, with its meaning and default. */
export const environmentVariables: readonly VariableDoc[] = Object.freeze([
  {
    name: 'PROVIDER_TYPE',
    doc: 'provider kind: local, vai or kfp; inferred from PARAMETERS_VAIPROJECT / PARAMETERS_RESTKFPAPIURL when unset',
    defaultValue: 'local',
  },
  {
    name: 'PROVIDERNAME',
    doc: 'namespace/name of the Provider resource; required for vai and kfp',
    defaultValue: configDefaults.localProviderName + ' (local only)',
  },
  {
    name: 'PIPELINEROOTSTORAGE',
    doc: 'pipeline root storage location, e.g. gs://bucket; required for vai and kfp',
    defaultValue: configDefaults.localArtifactRoot + ' (local only)',
  },
  {
    name: 'OPERATORWEBHOOK',
    doc: 'URL run completion events are POSTed to; required for vai and kfp; unset on local = events are logged only',
  },
  { name: 'SERVER_HOST', doc: 'API listen address', defaultValue: configDefaults.serverHost },
  { name: 'SERVER_PORT', doc: 'API port (0 = any free port)', defaultValue: String(configDefaults.serverPort) },
  { name: 'METRICS_PORT', doc: 'Prometheus /metrics port (0 = any free port)', defaultValue: String(configDefaults.metricsPort) },
  { name: 'HTTP_BODY_LIMIT_BYTES', doc: 'largest accepted JSON body; larger is 413', defaultValue: String(configDefaults.bodyLimitBytes) },
  { name: 'SHUTDOWN_TIMEOUT_MS', doc: 'how long SIGTERM waits for in-flight work', defaultValue: String(configDefaults.shutdownTimeoutMs) },
  {
    name: 'SHUTDOWN_DELAY_MS',
    doc: 'how long SIGTERM keeps serving with /readyz 503 before closing the port',
    defaultValue: String(configDefaults.shutdownDelayMs),
  },
  { name: 'LOG_LEVEL', doc: 'debug, info, warn or error', defaultValue: 'info' },
  { name: 'EVENTS_CONCURRENCY', doc: 'run completion events processed at once', defaultValue: String(configDefaults.eventsConcurrency) },
  {
    name: 'EVENTS_MAX_AGE_MS',
    doc: 'how long a failing event is retried before it is dropped with an error log',
    defaultValue: String(configDefaults.eventsMaxAgeMs),
  },
  { name: 'EVENTS_RETRY_INITIAL_MS', doc: 'first retry delay (doubles, with jitter)', defaultValue: String(configDefaults.retryInitialMs) },
  { name: 'EVENTS_RETRY_MAX_MS', doc: 'largest retry delay', defaultValue: String(configDefaults.retryMaxMs) },
  { name: 'WEBHOOK_TIMEOUT_MS', doc: 'timeout of one webhook request', defaultValue: String(configDefaults.webhookTimeoutMs) },
  { name: 'KFP_TOKEN_FILE', doc: 'bearer token file in Kubeflow multi-user mode', defaultValue: configDefaults.kfpTokenFile },
  { name: 'PUBSUB_EMULATOR_HOST', doc: 'host:port of a Pub/Sub emulator (vai)' },
  { name: 'STORAGE_EMULATOR_HOST', doc: 'GCS endpoint override, as PARAMETERS_GCSENDPOINT (vai)' },
  ...Object.entries(knownParameters).map(([key, { doc }]) => ({ name: `PARAMETERS_${key.toUpperCase()}`, doc })),
]);

/** Environment variables by name, as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `${name}="${raw}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `${name}="${raw}" must be one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

function url(env: Env, name: string): URL | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
    throw new ConfigError(name, `${name}="${raw}" must be an http:// or https:// URL`);
  }
  return parsed;
}

function parameterVariable(key: string): string {
  return `PARAMETERS_${key.toUpperCase()}`;
}

function stringParameter(parameters: Record<string, ParameterValue>, key: string, required: boolean): string {
  const value = parameters[key];
  if (value === undefined || value === '') {
    if (required) throw new ConfigError(parameterVariable(key), `${parameterVariable(key)} is required for this provider`);
    return '';
  }
  return String(value);
}

function inferProviderType(env: Env, parameters: Record<string, ParameterValue>): ProviderType {
  const explicit = text(env, 'PROVIDER_TYPE');
  if (explicit !== undefined) return oneOf(env, 'PROVIDER_TYPE', providerTypes, 'local');
  if (parameters['vaiProject'] !== undefined) return 'vai';
  if (parameters['restKfpApiUrl'] !== undefined) return 'kfp';
  return 'local';
}

function providerName(env: Env, type: ProviderType): NamespacedName {
  const raw = text(env, 'PROVIDERNAME');
  if (raw === undefined) {
    if (type === 'local') return { namespace: '', name: configDefaults.localProviderName };
    throw new ConfigError('PROVIDERNAME', `PROVIDERNAME is required for the ${type} provider (namespace/name of the Provider resource)`);
  }
  try {
    return parseNamespacedName(raw, 'PROVIDERNAME');
  } catch (error) {
    throw new ConfigError('PROVIDERNAME', `PROVIDERNAME="${raw}" must be "namespace/name" or "name"`);
  }
}

function vertexConfig(env: Env, parameters: Record<string, ParameterValue>): VertexProviderConfig {
  const location = stringParameter(parameters, 'vaiLocation', true);
  const maxRuns = parameters['maxConcurrentRunCount'];
  const gcsEndpoint = stringParameter(parameters, 'gcsEndpoint', false) || text(env, 'STORAGE_EMULATOR_HOST');
  const pubsubEmulatorHost = text(env, 'PUBSUB_EMULATOR_HOST');
  return {
    project: stringParameter(parameters, 'vaiProject', true),
    location,
    jobServiceAccount: stringParameter(parameters, 'vaiJobServiceAccount', false),
    pipelineBucket: stringParameter(parameters, 'pipelineBucket', true),
    eventsSubscription: stringParameter(parameters, 'eventsourcePipelineEventsSubscription', true),
    maxConcurrentRunCount:
      typeof maxRuns === 'number' && Number.isInteger(maxRuns) && maxRuns > 0 ? maxRuns : configDefaults.vaiMaxConcurrentRunCount,
    pscNetworkAttachment: stringParameter(parameters, 'pscNetworkAttachment', false),
    vaiEndpoint: stringParameter(parameters, 'vaiEndpoint', false) || `${location}-aiplatform.googleapis.com:443`,
    ...(gcsEndpoint ? { gcsEndpoint } : {}),
    ...(pubsubEmulatorHost ? { pubsubEmulatorHost } : {}),
  };
}

function kfpConfig(env: Env, parameters: Record<string, ParameterValue>, provider: NamespacedName): KfpProviderConfig {
  const restApiUrl = stringParameter(parameters, 'restKfpApiUrl', true);
  if (!/^https?:\/\/[^/]/.test(restApiUrl)) {
    throw new ConfigError('PARAMETERS_RESTKFPAPIURL', `PARAMETERS_RESTKFPAPIURL="${restApiUrl}" must be an http:// or https:// URL`);
  }
  const multiUserMode = parameters['kfpMultiUserMode'] === true;
  if (multiUserMode && provider.namespace === '') {
    throw new ConfigError('PROVIDERNAME', 'PROVIDERNAME must have a namespace when PARAMETERS_KFPMULTIUSERMODE is true');
  }
  return {
    restApiUrl,
    grpcApiAddress: stringParameter(parameters, 'grpcKfpApiAddress', false),
    metadataStoreAddress: stringParameter(parameters, 'grpcMetadataStoreAddress', true),
    namespace: stringParameter(parameters, 'kfpNamespace', false) || configDefaults.kfpNamespace,
    multiUserMode,
    defaultExperiment: stringParameter(parameters, 'defaultExperiment', false),
    tokenFile: text(env, 'KFP_TOKEN_FILE') ?? configDefaults.kfpTokenFile,
    workflowEvents: workflowEvents(parameters),
  };
}

function workflowEvents(parameters: Record<string, ParameterValue>): 'watch' | 'relay' {
  const value = stringParameter(parameters, 'kfpWorkflowEvents', false) || 'watch';
  if (value !== 'watch' && value !== 'relay') {
    throw new ConfigError('PARAMETERS_KFPWORKFLOWEVENTS', `PARAMETERS_KFPWORKFLOWEVENTS="${value}" must be watch or relay`);
  }
  return value;
}

function localConfig(env: Env, parameters: Record<string, ParameterValue>): LocalProviderConfig {
  const duration = parameters['runDurationMs'];
  if (duration !== undefined && (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 0)) {
    throw new ConfigError(
      'PARAMETERS_RUNDURATIONMS',
      `PARAMETERS_RUNDURATIONMS="${String(duration)}" must be a whole number of milliseconds`,
    );
  }
  return {
    runDurationMs: duration ?? configDefaults.localRunDurationMs,
    artifactRoot: text(env, 'PIPELINEROOTSTORAGE') ?? configDefaults.localArtifactRoot,
  };
}

/**
 * Parses the service configuration from an environment (normally `process.env`). Throws a
 * {@link ConfigError} naming the first variable that is missing or invalid.
 */
export function loadServiceConfig(env: Env): ServiceConfig {
  let parameters: Record<string, ParameterValue>;
  try {
    parameters = readProviderParameters(env);
  } catch (error) {
    const message = (error as Error).message;
    throw new ConfigError(message.split('=', 1)[0] ?? 'PARAMETERS_', message);
  }
  const providerType = inferProviderType(env, parameters);
  const name = providerName(env, providerType);
  const webhook = url(env, 'OPERATORWEBHOOK');
  // Without a webhook, events are only logged and then acknowledged at their source: right for a
  // local try-out, silent loss for a cloud provider whose events nobody else will ever see.
  if (!webhook && providerType !== 'local') {
    throw new ConfigError(
      'OPERATORWEBHOOK',
      `OPERATORWEBHOOK is required for the ${providerType} provider (the operator's run completion URL)`,
    );
  }
  if (text(env, 'PIPELINEROOTSTORAGE') === undefined && providerType !== 'local') {
    throw new ConfigError('PIPELINEROOTSTORAGE', `PIPELINEROOTSTORAGE is required for the ${providerType} provider (e.g. gs://bucket)`);
  }
  const retryInitialMs = integer(env, 'EVENTS_RETRY_INITIAL_MS', configDefaults.retryInitialMs, 1);
  const config: ServiceConfig = {
    providerType,
    providerName: name,
    pipelineRootStorage: text(env, 'PIPELINEROOTSTORAGE') ?? '',
    ...(webhook ? { operatorWebhook: webhook } : {}),
    server: {
      host: text(env, 'SERVER_HOST') ?? configDefaults.serverHost,
      port: integer(env, 'SERVER_PORT', configDefaults.serverPort, 0, 65535),
    },
    metricsPort: integer(env, 'METRICS_PORT', configDefaults.metricsPort, 0, 65535),
    bodyLimitBytes: integer(env, 'HTTP_BODY_LIMIT_BYTES', configDefaults.bodyLimitBytes, 1),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', configDefaults.shutdownTimeoutMs, 0),
    shutdownDelayMs: integer(env, 'SHUTDOWN_DELAY_MS', configDefaults.shutdownDelayMs, 0),
    logLevel: oneOf(env, 'LOG_LEVEL', logLevels, 'info'),
    events: {
      concurrency: integer(env, 'EVENTS_CONCURRENCY', configDefaults.eventsConcurrency, 1, 1024),
      maxAgeMs: integer(env, 'EVENTS_MAX_AGE_MS', configDefaults.eventsMaxAgeMs, 1),
      retryInitialMs,
      retryMaxMs: integer(env, 'EVENTS_RETRY_MAX_MS', Math.max(configDefaults.retryMaxMs, retryInitialMs), retryInitialMs),
      webhookTimeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', configDefaults.webhookTimeoutMs, 1),
    },
    parameters,
    ...(providerType === 'local' ? { local: localConfig(env, parameters) } : {}),
    ...(providerType === 'vai' ? { vai: vertexConfig(env, parameters) } : {}),
    ...(providerType === 'kfp' ? { kfp: kfpConfig(env, parameters, name) } : {}),
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !(value instanceof URL)) {
    for (const nested of Object.values(value)) deepFreeze(nested);
    Object.freeze(value);
  }
  return value;
}

/** The `--help` text: every variable with its meaning and default. */
export function formatConfigHelp(): string {
  const width = Math.max(...environmentVariables.map((variable) => variable.name.length));
  const lines = environmentVariables.map(
    (variable) => `  ${variable.name.padEnd(width)}  ${variable.doc}${variable.defaultValue ? ` (default ${variable.defaultValue})` : ''}`,
  );
  return ['kfp-provider-service: the KFP Operator provider service.', '', 'Configuration (environment variables):', ...lines, ''].join(
    '\n',
  );
}

/** The configuration as logged at start-up: credentials in URLs are masked. */
export function describeConfig(config: ServiceConfig): Record<string, unknown> {
  const webhook = config.operatorWebhook ? new URL(config.operatorWebhook.href) : undefined;
  if (webhook && (webhook.username || webhook.password)) {
    webhook.username = 'redacted';
    webhook.password = '';
  }
  return {
    ...config,
    providerName: formatNamespacedName(config.providerName),
    operatorWebhook: webhook?.href,
  };
}

/** Injection token of the parsed {@link ServiceConfig}. */
export const ServiceConfig = Symbol.for('kfp-provider-service.ServiceConfig');
