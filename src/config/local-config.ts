import { configDefaults } from './config-defaults.js';
import { type AnySetting, parameterSetting, type SettingsReader } from './setting.js';
import { text, wholeNumber } from './setting-decoders.js';

/** Where the local provider keeps its state across restarts. */
export interface LocalStateFileConfig {
  /** The SQLite file (`PARAMETERS_STATEFILE`), created when missing; its directory must exist. */
  readonly path: string;
  /** How long start-up waits for another process to let go of the file before it gives up. */
  readonly lockWaitMs: number;
}

/** Settings of the embedded local provider. */
export interface LocalProviderConfig {
  /** How long a run takes before it completes. */
  readonly runDurationMs: number;
  /** Root of the artifact URIs local runs report (`PIPELINEROOTSTORAGE`, or a local default). */
  readonly artifactRoot: string;
  /** The state file; absent, the state lives in memory and ends with the process. */
  readonly stateFile?: LocalStateFileConfig;
}

// A rolling update starts the new pod before the old one is told to stop, and the old one may
// hold the file until the kubelet's SIGKILL, 30 s after its SIGTERM by default.
const defaultStateLockWaitMs = 30_000;

const runDuration = parameterSetting('runDurationMs', 'number', {
  doc: 'how long a local run takes before it completes, in milliseconds',
  decoder: wholeNumber(0),
  secret: false,
  defaultValue: configDefaults.localRunDurationMs,
});

// Provider parameters, like runDurationMs: they belong to the Provider resource's
// spec.parameters, where a volume for the file is declared alongside.
const stateFile = parameterSetting('stateFile', 'string', {
  doc: 'SQLite file keeping pipelines, experiments, schedules, unfinished runs and undelivered events across restarts; one process at a time',
  secret: false,
  decoder: text('a file path'),
  defaultText: 'none: state in memory',
});

const stateLockWait = parameterSetting('stateLockWaitMs', 'number', {
  doc: 'how long start-up waits for another process holding the state file to let go of it, in milliseconds',
  secret: false,
  decoder: wholeNumber(0),
  defaultValue: defaultStateLockWaitMs,
});

/** The local provider's rows of the settings table. */
export const localSettings: readonly AnySetting[] = Object.freeze([runDuration, stateFile, stateLockWait]);

/** Reads the local slice; `pipelineRootStorage` is the common setting, the artifact root unless empty. */
export function readLocalConfig(reader: SettingsReader, pipelineRootStorage: string): LocalProviderConfig {
  const path = reader.read(stateFile);
  const lockWaitMs = reader.read(stateLockWait);
  return {
    runDurationMs: reader.read(runDuration),
    artifactRoot: pipelineRootStorage || configDefaults.localArtifactRoot,
    ...(path === undefined ? {} : { stateFile: { path, lockWaitMs } }),
  };
}
