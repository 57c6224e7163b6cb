import type { PipelineResource } from '../definitions.js';
import { InvalidInputError } from '../errors.js';
import { type JsonObject, isJsonObject } from '../json-fields.js';
import { allRunLabelKeys } from '../run-labels.js';

/** The parameter types a KFP v2 pipeline spec declares under `root.inputDefinitions.parameters`. */
export const kfpParameterTypes = ['STRING', 'NUMBER_INTEGER', 'NUMBER_DOUBLE', 'BOOLEAN', 'LIST', 'STRUCT'] as const;

/** One of {@link kfpParameterTypes}. */
export type KfpParameterType = (typeof kfpParameterTypes)[number];

/**
 * How each run label key is declared in an uploaded spec: KFP rejects run parameters the spec
 * does not declare, and runs carry the labels as parameters, so every key must be declared, and
 * optional so that runs started outside the operator still validate.
 */
export const labelParameterDeclaration = Object.freeze({ isOptional: true, parameterType: 'STRING', defaultValue: '' });

// KFP v1-style specs declare `type` with these names instead of `parameterType`.
const legacyParameterTypes: Readonly<Record<string, KfpParameterType>> = {
  STRING: 'STRING',
  INT: 'NUMBER_INTEGER',
  DOUBLE: 'NUMBER_DOUBLE',
};

function parseCompiledPipeline(compiled: unknown): JsonObject {
  let document = compiled;
  if (typeof document === 'string') {
    try {
      document = JSON.parse(document);
    } catch {
      throw new InvalidInputError('compiledPipeline is a string that is not JSON');
    }
  }
  if (!isJsonObject(document)) throw new InvalidInputError('compiledPipeline must be a JSON object (a compiled KFP pipeline spec)');
  return document;
}

function objectAt(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const existing = parent[key];
  if (isJsonObject(existing)) return existing;
  const created: Record<string, unknown> = {};
  parent[key] = created;
  return created;
}

/**
 * The spec uploaded to KFP for a pipeline resource: a TFX wrapper (`{pipelineSpec, …}`, framework
 * `tfx`) is unwrapped, and every run label key is declared as an optional string parameter with
 * default `""`, overwriting a declaration of the same key. The input is not modified.
 */
export function prepareKfpPipelineSpec(resource: PipelineResource): Record<string, unknown> {
  let document = parseCompiledPipeline(resource.compiledPipeline);
  if (resource.definition.framework.name.toLowerCase() === 'tfx' && isJsonObject(document['pipelineSpec'])) {
    document = document['pipelineSpec'];
  }
  const spec = structuredClone(document) as Record<string, unknown>;
  const parameters = objectAt(objectAt(objectAt(spec, 'root'), 'inputDefinitions'), 'parameters');
  for (const key of allRunLabelKeys) parameters[key] = { ...labelParameterDeclaration };
  return spec;
}

function pipelineSpecOf(stored: unknown): JsonObject | undefined {
  if (!isJsonObject(stored)) return undefined;
  // A version uploaded together with a platform spec is stored as {pipeline_spec, platform_spec}.
  if (!isJsonObject(stored['root']) && isJsonObject(stored['pipeline_spec'])) return stored['pipeline_spec'];
  return stored;
}

/**
 * The parameter types a stored pipeline spec declares, by parameter name. Parameters without a
 * recognised type are left out, so their values travel as strings.
 */
export function declaredKfpParameterTypes(storedSpec: unknown): ReadonlyMap<string, KfpParameterType> {
  const types = new Map<string, KfpParameterType>();
  const root = pipelineSpecOf(storedSpec)?.['root'];
  const inputs = isJsonObject(root) ? root['inputDefinitions'] : undefined;
  const parameters = isJsonObject(inputs) ? inputs['parameters'] : undefined;
  if (!isJsonObject(parameters)) return types;
  for (const [name, declaration] of Object.entries(parameters)) {
    if (!isJsonObject(declaration)) continue;
    const declared = declaration['parameterType'];
    const legacy = declaration['type'];
    if (typeof declared === 'string' && (kfpParameterTypes as readonly string[]).includes(declared)) {
      types.set(name, declared as KfpParameterType);
    } else if (typeof legacy === 'string' && legacyParameterTypes[legacy]) {
      types.set(name, legacyParameterTypes[legacy]);
    }
  }
  return types;
}
