import { BackendError } from '../errors.js';
import { type JsonObject, isJsonObject } from '../json-fields.js';
import { compareSemver, parseLenientSemver } from './lenient-semver.js';
import { formatGoLabelValue } from './vertex-labels.js';

/** What a run needs from a stored compiled pipeline (a bare KFP spec or a TFX wrapper). */
export interface CompiledPipeline {
  /** The KFP pipeline spec itself (the inner `pipelineSpec` of a TFX wrapper). */
  readonly spec: JsonObject;
  /** The wrapper's `displayName`, else `pipelineInfo.name`. */
  readonly name: string;
  /** The wrapper's labels, values rendered as strings; empty for a bare spec. */
  readonly labels: Readonly<Record<string, string>>;
  readonly schemaVersion: string;
  readonly sdkVersion: string;
  /**
   * True from schema 2.1.0 on: Vertex AI then wants typed `parameterValues` and answers an
   * internal error for the legacy `parameters` field, and the other way round below.
   */
  readonly usesParameterValues: boolean;
}

const parameterValuesSince = parseLenientSemver('2.1.0')!;

/**
 * Reads a stored compiled pipeline. `source` names it in errors. Anything unusable is a
 * {@link BackendError}: the definition was accepted when the pipeline was stored, so this is a
 * failure of what the store holds, not of the run request.
 */
export function readCompiledPipeline(value: unknown, source: string): CompiledPipeline {
  const fail = (reason: string): never => {
    throw new BackendError(`compiled pipeline ${source} cannot be run: ${reason}`);
  };
  if (!isJsonObject(value)) return fail('it is not a JSON object');
  const wrapped = isJsonObject(value['pipelineSpec']);
  const spec = wrapped ? (value['pipelineSpec'] as JsonObject) : value;
  const wrapperName = wrapped && typeof value['displayName'] === 'string' ? value['displayName'] : '';
  const wrapperLabels = wrapped && isJsonObject(value['labels']) ? value['labels'] : {};
  let name = wrapperName;
  if (name === '') {
    const info = spec['pipelineInfo'];
    if (!isJsonObject(info)) return fail('pipelineInfo is missing or not an object');
    if (typeof info['name'] !== 'string') return fail('pipelineInfo.name is missing or not a string');
    name = info['name'];
  }
  const schemaVersion = spec['schemaVersion'];
  if (typeof schemaVersion !== 'string') return fail('schemaVersion is missing or not a string');
  const schema = parseLenientSemver(schemaVersion);
  if (!schema) return fail(`schemaVersion "${schemaVersion}" is not a semantic version`);
  const sdkVersion = spec['sdkVersion'];
  if (typeof sdkVersion !== 'string') return fail('sdkVersion is missing or not a string');
  const labels: Record<string, string> = {};
  for (const [key, labelValue] of Object.entries(wrapperLabels)) labels[key] = formatGoLabelValue(labelValue);
  return { spec, name, labels, schemaVersion, sdkVersion, usesParameterValues: compareSemver(schema, parameterValuesSince) >= 0 };
}
