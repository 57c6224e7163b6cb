import { configDefaults } from './config-defaults.js';
import { type AnySetting, parameterSetting, type SettingsReader } from './setting.js';
import { wholeNumber } from './setting-decoders.js';

/** Settings of the embedded local provider. */
export interface LocalProviderConfig {
  /** How long a run takes before it completes. */
  readonly runDurationMs: number;
  /** Root of the artifact URIs local runs report (`PIPELINEROOTSTORAGE`, or a local default). */
  readonly artifactRoot: string;
}

const runDuration = parameterSetting('runDurationMs', 'number', {
  doc: 'how long a local run takes before it completes, in milliseconds',
  decoder: wholeNumber(0),
  secret: false,
  defaultValue: configDefaults.localRunDurationMs,
});

/** The local provider's rows of the settings table. */
export const localSettings: readonly AnySetting[] = Object.freeze([runDuration]);

/** Reads the local slice; `pipelineRootStorage` is the common setting, the artifact root unless empty. */
export function readLocalConfig(reader: SettingsReader, pipelineRootStorage: string): LocalProviderConfig {
  return {
    runDurationMs: reader.read(runDuration),
    artifactRoot: pipelineRootStorage || configDefaults.localArtifactRoot,
  };
}
