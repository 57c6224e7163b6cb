import { InvalidInputError } from '../errors.js';
import { isJsonObject } from '../json-fields.js';
import type { NamespacedName } from '../namespaced-name.js';
import type { RunLabels } from '../run-labels.js';
import type { KfpParameterType } from './kfp-pipeline-spec.js';

/** A run's KFP parameters as text: the definition's parameters overlaid with its labels (a label wins). */
export function kfpRunParameters(parameters: Readonly<Record<string, string>>, labels: RunLabels): Record<string, string> {
  return { ...parameters, ...labels };
}

function typedValue(name: string, text: string, type: KfpParameterType): unknown {
  const fail = (): never => {
    throw new InvalidInputError(`parameter "${name}" is "${text}", which is not a ${type} as the pipeline declares`);
  };
  const json = (): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return fail();
    }
  };
  switch (type) {
    case 'STRING':
      return text;
    case 'NUMBER_INTEGER': {
      const value = /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
      return Number.isFinite(value) ? value : fail();
    }
    case 'NUMBER_DOUBLE': {
      const value = text.trim() === '' ? Number.NaN : Number(text);
      return Number.isFinite(value) ? value : fail();
    }
    case 'BOOLEAN': {
      const lowered = text.trim().toLowerCase();
      return lowered === 'true' ? true : lowered === 'false' ? false : fail();
    }
    case 'LIST': {
      const value = json();
      return Array.isArray(value) ? value : fail();
    }
    case 'STRUCT': {
      const value = json();
      return isJsonObject(value) ? value : fail();
    }
  }
}

/**
 * Converts text parameters to the JSON types the pipeline spec declares, because KFP rejects a
 * string for a parameter declared as a number, boolean, list or struct. Undeclared parameters
 * stay strings (KFP reports them itself). A value that cannot be converted is an
 * {@link InvalidInputError} naming the parameter.
 */
export function typedKfpParameters(
  parameters: Readonly<Record<string, string>>,
  declared: ReadonlyMap<string, KfpParameterType>,
): Record<string, unknown> {
  const typed: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(parameters)) typed[name] = typedValue(name, text, declared.get(name) ?? 'STRING');
  return typed;
}

/**
 * `runtime_config.pipeline_root` of a run: `{storage}/{ns}/{name}` of the run's pipeline (no slash
 * normalisation, as the Go provider), or `""` when no root storage is configured.
 */
export function kfpPipelineRoot(storage: string, pipeline: NamespacedName): string {
  if (storage === '') return '';
  return pipeline.namespace ? `${storage}/${pipeline.namespace}/${pipeline.name}` : `${storage}/${pipeline.name}`;
}
