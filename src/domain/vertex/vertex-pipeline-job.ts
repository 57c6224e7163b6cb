import type { RunDefinition } from '../definitions.js';
import type { JsonObject } from '../json-fields.js';
import { formatNamespacedName } from '../namespaced-name.js';
import type { RunLabels } from '../run-labels.js';
import type { CompiledPipeline } from './compiled-pipeline.js';
import { pipelineTemplateUri } from './vertex-pipeline-location.js';
import { sanitiseVertexLabels } from './vertex-labels.js';

/** The provider settings every pipeline job carries. */
export interface VertexJobSettings {
  /** Bucket holding compiled pipelines. */
  readonly pipelineBucket: string;
  /** `PIPELINEROOTSTORAGE`: job outputs go below it. */
  readonly pipelineRootStorage: string;
  readonly serviceAccount: string;
  /** Private Service Connect network attachment; empty for none. */
  readonly pscNetworkAttachment: string;
}

/** A typed pipeline parameter (google.protobuf.Value): string, number, or null. */
export type VertexParameterValue = string | number | null;

/** The runtime settings of a job. Exactly one of the two parameter maps is filled. */
export interface VertexRuntimeConfig {
  readonly gcsOutputDirectory: string;
  /** Legacy string parameters, for schema versions below 2.1.0. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Typed parameters, for schema versions from 2.1.0 on. */
  readonly parameterValues: Readonly<Record<string, VertexParameterValue>>;
}

/** A Vertex AI pipeline job as this service submits it, before any protobuf encoding. */
export interface VertexPipelineJob {
  /** The pipeline's name; the reference service sets it although Vertex AI treats it as output only. */
  readonly name: string;
  /** The pipeline's name, which is what Vertex AI shows. */
  readonly displayName: string;
  /** Sanitised labels: run labels, wrapper labels, `schema_version` and `sdk_version`. */
  readonly labels: Readonly<Record<string, string>>;
  readonly pipelineSpec: JsonObject;
  readonly templateUri: string;
  readonly serviceAccount: string;
  readonly runtimeConfig: VertexRuntimeConfig;
  /** Set only when a network attachment is configured. */
  readonly pscNetworkAttachment?: string;
}

/** A parameter as a typed value: strings and numbers keep their type, anything else is null. */
export function toVertexParameterValue(value: unknown): VertexParameterValue {
  return typeof value === 'string' || typeof value === 'number' ? value : null;
}

/**
 * Builds the job for a run (or for the runs a schedule starts) from its labels and the stored
 * compiled pipeline: labels merged then sanitised, parameters in the field the schema version
 * calls for, outputs below `{pipelineRootStorage}/{ns/name}`.
 */
export function buildVertexPipelineJob(
  run: RunDefinition,
  labels: RunLabels,
  compiled: CompiledPipeline,
  settings: VertexJobSettings,
): VertexPipelineJob {
  const merged = sanitiseVertexLabels({
    ...labels,
    ...compiled.labels,
    schema_version: compiled.schemaVersion,
    sdk_version: compiled.sdkVersion,
  });
  const parameters: Record<string, string> = {};
  const parameterValues: Record<string, VertexParameterValue> = {};
  for (const [key, value] of Object.entries(run.parameters)) {
    if (compiled.usesParameterValues) parameterValues[key] = toVertexParameterValue(value);
    else parameters[key] = value;
  }
  return {
    name: compiled.name,
    displayName: compiled.name,
    labels: merged,
    pipelineSpec: compiled.spec,
    templateUri: pipelineTemplateUri(settings.pipelineBucket, run.pipelineName, run.pipelineVersion),
    serviceAccount: settings.serviceAccount,
    runtimeConfig: {
      gcsOutputDirectory: `${settings.pipelineRootStorage}/${formatNamespacedName(run.pipelineName)}`,
      parameters,
      parameterValues,
    },
    ...(settings.pscNetworkAttachment ? { pscNetworkAttachment: settings.pscNetworkAttachment } : {}),
  };
}
