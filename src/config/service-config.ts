import type { NamespacedName } from '../domain/namespaced-name.js';
import { type LogLevel, logLevels } from '../ports/logger.js';
import { configDefaults } from './config-defaults.js';
import { ConfigError } from './config-error.js';
import { type EventsConfig, eventsSettings, readEventsConfig } from './events-config.js';
import { type KfpProviderConfig, kfpSettings, readKfpConfig } from './kfp-config.js';
import { type LocalProviderConfig, localSettings, readLocalConfig } from './local-config.js';
import { decodeProviderParameters } from './provider-parameters.js';
import {
  type AnySetting,
  type Env,
  environmentSetting,
  formatSettingsTable,
  type ParameterValue,
  type Setting,
  SettingsReader,
} from './setting.js';
import { httpUrl, namespacedName, oneOf, text, wholeNumber } from './setting-decoders.js';
import { readServingConfig, type ServingConfig, servingSettings } from './serving-config.js';
import { readVertexConfig, type VertexProviderConfig, vertexSettings } from './vertex-config.js';

// What callers of loadServiceConfig use with it, importable from here as before the split.
export { ConfigError } from './config-error.js';
export { configDefaults } from './config-defaults.js';
export type { EventsConfig } from './events-config.js';

/** The provider kinds this service can run. */
export const providerTypes = ['local', 'vai', 'kfp'] as const;

/** One of {@link providerTypes}. */
export type ProviderType = (typeof providerTypes)[number];

/** What every provider kind is configured with. */
export interface CommonServiceConfig extends ServingConfig {
  /** The Provider resource (`PROVIDERNAME`), reported in every event and run label. */
  readonly providerName: NamespacedName;
  /** Pipeline root storage (`PIPELINEROOTSTORAGE`); empty only on the local provider. */
  readonly pipelineRootStorage: string;
  /** Where run completion events go; unset (local provider only) means they are logged. */
  readonly operatorWebhook?: URL;
  /** Least severe level logged (`LOG_LEVEL`). */
  readonly logLevel: LogLevel;
  /** The event pipeline and webhook sink. */
  readonly events: EventsConfig;
  /** Deadline of each Vertex AI, Cloud Storage, Kubeflow and ML Metadata call (`BACKEND_TIMEOUT_MS`). */
  readonly backendTimeoutMs: number;
  /** Every `PARAMETERS_<KEY>`, camelCase keys, typed values. */
  readonly parameters: Readonly<Record<string, ParameterValue>>;
}

/** The configuration of the embedded local provider. */
export interface LocalServiceConfig extends CommonServiceConfig {
  readonly providerType: 'local';
  readonly local: LocalProviderConfig;
}

/** The configuration of the Vertex AI provider. */
export interface VertexServiceConfig extends CommonServiceConfig {
  readonly providerType: 'vai';
  readonly vai: VertexProviderConfig;
}

/** The configuration of the Kubeflow Pipelines provider. */
export interface KfpServiceConfig extends CommonServiceConfig {
  readonly providerType: 'kfp';
  readonly kfp: KfpProviderConfig;
}

/**
 * The whole service configuration, parsed once from the environment and frozen; `providerType`
 * (`PROVIDER_TYPE`, or inferred from the parameters) tells which provider slice it carries.
 */
export type ServiceConfig = LocalServiceConfig | VertexServiceConfig | KfpServiceConfig;

/** The configuration of the provider kind `K`. */
export type ServiceConfigFor<K extends ProviderType> = Extract<ServiceConfig, { readonly providerType: K }>;

const settings = {
  providerType: environmentSetting('PROVIDER_TYPE', {
    doc: 'provider kind; inferred from PARAMETERS_VAIPROJECT / PARAMETERS_RESTKFPAPIURL when unset',
    decoder: oneOf(providerTypes),
    secret: false,
    defaultText: 'local',
  }),
  providerName: environmentSetting('PROVIDERNAME', {
    doc: 'namespace/name of the Provider resource; required for vai and kfp',
    decoder: namespacedName,
    secret: false,
    defaultText: `${configDefaults.localProviderName} (local only)`,
  }),
  pipelineRootStorage: environmentSetting('PIPELINEROOTSTORAGE', {
    doc: 'pipeline root storage location, e.g. gs://bucket; required for vai and kfp',
    decoder: text('a storage location such as gs://bucket'),
    secret: false,
    defaultText: `${configDefaults.localArtifactRoot} (local only)`,
  }),
  operatorWebhook: environmentSetting('OPERATORWEBHOOK', {
    doc: 'URL run completion events are POSTed to; required for vai and kfp; unset on local = events are logged only',
    decoder: httpUrl,
    secret: false,
  }),
  logLevel: environmentSetting('LOG_LEVEL', {
    doc: 'least severe level logged',
    decoder: oneOf(logLevels),
    secret: false,
    defaultValue: configDefaults.logLevel,
  }),
  backendTimeoutMs: environmentSetting('BACKEND_TIMEOUT_MS', {
    doc: 'deadline of each Vertex AI, Cloud Storage, Kubeflow and ML Metadata call (Kubeflow uploads get four times it)',
    secret: false,
    decoder: wholeNumber(1),
    defaultValue: configDefaults.backendTimeoutMs,
  }),
};

/** The settings every provider kind reads, as the table lists them. */
export const commonSettings: readonly AnySetting[] = Object.freeze([...Object.values(settings), ...servingSettings, ...eventsSettings]);

const helpSections = [
  { title: 'Configuration (environment variables)', settings: commonSettings },
  { title: 'Local provider (local)', settings: localSettings },
  { title: 'Vertex AI (vai)', settings: vertexSettings },
  { title: 'Kubeflow Pipelines (kfp)', settings: kfpSettings },
] as const;

function inferProviderType(parameters: Readonly<Record<string, ParameterValue>>): ProviderType {
  if (parameters['vaiProject'] !== undefined) return 'vai';
  if (parameters['restKfpApiUrl'] !== undefined) return 'kfp';
  return 'local';
}

function readCommonConfig(
  reader: SettingsReader,
  providerType: ProviderType,
  parameters: CommonServiceConfig['parameters'],
): CommonServiceConfig {
  const local = providerType === 'local';
  const needed = <T>(setting: Setting<T, undefined>): T | undefined =>
    local ? reader.read(setting) : reader.require(setting, `for the ${providerType} provider`);
  const providerName = needed(settings.providerName);
  const pipelineRootStorage = needed(settings.pipelineRootStorage);
  // Without a webhook, events are only logged and then acknowledged at their source: right for a
  // local try-out, silent loss for a cloud provider whose events nobody else will ever see.
  const operatorWebhook = needed(settings.operatorWebhook);
  return {
    providerName: providerName ?? { namespace: '', name: local ? configDefaults.localProviderName : '' },
    pipelineRootStorage: pipelineRootStorage ?? '',
    ...(operatorWebhook ? { operatorWebhook } : {}),
    ...readServingConfig(reader),
    logLevel: reader.read(settings.logLevel),
    events: readEventsConfig(reader),
    backendTimeoutMs: reader.read(settings.backendTimeoutMs),
    parameters,
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !(value instanceof URL)) {
    for (const nested of Object.values(value)) deepFreeze(nested);
    Object.freeze(value);
  }
  return value;
}

/**
 * Parses the service configuration from an environment (normally `process.env`). Reading goes on
 * past an invalid setting, so the {@link ConfigError} it throws lists all that is missing or invalid.
 */
export function loadServiceConfig(env: Env): ServiceConfig {
  const { parameters, problems } = decodeProviderParameters(env);
  const reader = new SettingsReader(env, parameters, problems);
  const providerType = reader.read(settings.providerType) ?? inferProviderType(parameters);
  const common = readCommonConfig(reader, providerType, parameters);
  const config: ServiceConfig =
    providerType === 'local'
      ? { providerType, ...common, local: readLocalConfig(reader, common.pipelineRootStorage) }
      : providerType === 'vai'
        ? { providerType, ...common, vai: readVertexConfig(reader) }
        : { providerType, ...common, kfp: readKfpConfig(reader, common.providerName) };
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return deepFreeze(config);
}

/** The configuration narrowed to the provider kind `kind`; a configuration of another kind is a `TypeError`. */
export function narrowServiceConfig<K extends ProviderType>(config: ServiceConfig, kind: K): ServiceConfigFor<K> {
  if (config.providerType !== kind) throw new TypeError(`the configuration is for "${config.providerType}", not "${kind}"`);
  return config as ServiceConfigFor<K>;
}

/** The `--help` text: every variable with its meaning and default, common settings first, then each provider's. */
export function formatConfigHelp(): string {
  return ['kfp-provider-service: the KFP Operator provider service.', ...formatSettingsTable(helpSections), ''].join('\n');
}

/** Injection token of the parsed {@link ServiceConfig}. */
export const ServiceConfig = Symbol.for('kfp-provider-service.ServiceConfig');
