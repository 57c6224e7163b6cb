import { configDefaults } from './config-defaults.js';
import { type AnySetting, environmentSetting, parameterSetting, type SettingsReader } from './setting.js';
import { text, wholeNumber } from './setting-decoders.js';

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
  /** Max concurrent runs per schedule (`maxConcurrentRunCount`), a positive whole number. */
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

const settings = {
  project: parameterSetting('vaiProject', 'string', {
    doc: 'Google Cloud project of Vertex AI and Pub/Sub',
    decoder: text('a Google Cloud project id'),
    secret: false,
  }),
  location: parameterSetting('vaiLocation', 'string', {
    doc: 'Vertex AI region, e.g. europe-west2',
    decoder: text('a Vertex AI region such as europe-west2'),
    secret: false,
  }),
  jobServiceAccount: parameterSetting('vaiJobServiceAccount', 'string', {
    doc: "service account pipeline jobs run as; unset = Vertex AI's default",
    decoder: text('a service account email'),
    secret: false,
    defaultValue: '',
  }),
  endpoint: parameterSetting('vaiEndpoint', 'string', {
    doc: 'Vertex AI gRPC endpoint; http://host:port means plaintext without credentials',
    decoder: text('host:port or http://host:port'),
    secret: false,
    defaultText: '<vaiLocation>-aiplatform.googleapis.com:443',
  }),
  pipelineBucket: parameterSetting('pipelineBucket', 'string', {
    doc: 'GCS bucket holding compiled pipelines',
    decoder: text('a GCS bucket name'),
    secret: false,
  }),
  eventsSubscription: parameterSetting('eventsourcePipelineEventsSubscription', 'string', {
    doc: 'Pub/Sub subscription receiving pipeline job log entries',
    decoder: text('a Pub/Sub subscription name'),
    secret: false,
  }),
  maxConcurrentRunCount: parameterSetting('maxConcurrentRunCount', 'number', {
    doc: 'max concurrent runs of a schedule',
    decoder: wholeNumber(1),
    secret: false,
    defaultValue: configDefaults.vaiMaxConcurrentRunCount,
  }),
  pscNetworkAttachment: parameterSetting('pscNetworkAttachment', 'string', {
    doc: 'Private Service Connect network attachment for jobs; unset = none',
    decoder: text('a network attachment name'),
    secret: false,
    defaultValue: '',
  }),
  gcsEndpoint: parameterSetting('gcsEndpoint', 'string', {
    doc: 'GCS endpoint override; disables credentials',
    decoder: text('a URL or host:port'),
    secret: false,
  }),
  storageEmulatorHost: environmentSetting('STORAGE_EMULATOR_HOST', {
    doc: 'GCS endpoint override, as PARAMETERS_GCSENDPOINT',
    decoder: text('a URL or host:port'),
    secret: false,
  }),
  pubsubEmulatorHost: environmentSetting('PUBSUB_EMULATOR_HOST', {
    doc: 'host:port of a Pub/Sub emulator; disables credentials',
    decoder: text('host:port'),
    secret: false,
  }),
};

/** The Vertex AI provider's rows of the settings table. */
export const vertexSettings: readonly AnySetting[] = Object.freeze(Object.values(settings));

/** Reads the Vertex AI slice, recording what is missing or invalid in `reader`. */
export function readVertexConfig(reader: SettingsReader): VertexProviderConfig {
  const required = (setting: typeof settings.project): string => reader.require(setting, 'for the vai provider') ?? '';
  const project = required(settings.project);
  const location = required(settings.location);
  const gcsEndpoint = reader.read(settings.gcsEndpoint) ?? reader.read(settings.storageEmulatorHost);
  const pubsubEmulatorHost = reader.read(settings.pubsubEmulatorHost);
  return {
    project,
    location,
    jobServiceAccount: reader.read(settings.jobServiceAccount),
    pipelineBucket: required(settings.pipelineBucket),
    eventsSubscription: required(settings.eventsSubscription),
    maxConcurrentRunCount: reader.read(settings.maxConcurrentRunCount),
    pscNetworkAttachment: reader.read(settings.pscNetworkAttachment),
    vaiEndpoint: reader.read(settings.endpoint) ?? `${location}-aiplatform.googleapis.com:443`,
    ...(gcsEndpoint ? { gcsEndpoint } : {}),
    ...(pubsubEmulatorHost ? { pubsubEmulatorHost } : {}),
  };
}
