import { parseCron } from './cron.js';
import type {
  EnvVar,
  ExperimentDefinition,
  OutputArtifact,
  PipelineResource,
  RunDefinition,
  RunScheduleDefinition,
  Schedule,
  TriggerIndicator,
} from './definitions.js';
import { quoteInput } from './client-text.js';
import { InvalidInputError } from './errors.js';
import {
  type JsonObject,
  isJsonObject,
  optionalArray,
  optionalObject,
  optionalString,
  optionalStringMap,
  requireObject,
} from './json-fields.js';
import { type NamespacedName, isEmptyNamespacedName, parseNamespacedName } from './namespaced-name.js';

// Decoders turn the operator's JSON into validated definitions. Unknown fields are ignored
// (the operator may add fields); every failure is an InvalidInputError naming the field.

function namespacedName(source: JsonObject, field: string, path: string): NamespacedName {
  return parseNamespacedName(optionalString(source, field, path), `${path}.${field}`);
}

function requiredName(source: JsonObject, field: string, path: string): NamespacedName {
  const value = namespacedName(source, field, path);
  if (isEmptyNamespacedName(value)) throw new InvalidInputError(`${path}.${field} must not be empty`);
  return value;
}

function nameValuePairs<T>(source: JsonObject, field: string, path: string, build: (item: JsonObject, at: string) => T): T[] {
  return optionalArray(source, field, path).map((item, index) => {
    const at = `${path}.${field}[${index}]`;
    return build(requireObject(item, at), at);
  });
}

function timestamp(source: JsonObject, field: string, path: string): Date | undefined {
  const text = optionalString(source, field, path);
  if (text === '') return undefined;
  // RFC 3339 requires a date, a time and an offset; Date.parse alone would accept far more.
  const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
  const millis = rfc3339.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(millis)) throw new InvalidInputError(`${path}.${field} ${quoteInput(text)} is not an RFC 3339 time`);
  return new Date(millis);
}

/** Decodes a pipeline create/update body: `{pipelineDefinition, compiledPipeline}`. */
export function decodePipelineResource(body: unknown): PipelineResource {
  const root = requireObject(body, 'body');
  const path = 'pipelineDefinition';
  const definition = requireObject(root[path], path);
  const framework = optionalObject(definition, 'framework', path);
  // The published OpenAPI document calls the framework field `type`; the operator sends `name`.
  const frameworkName = optionalString(framework, 'name', `${path}.framework`) || optionalString(framework, 'type', `${path}.framework`);
  return {
    definition: {
      name: requiredName(definition, 'name', path),
      version: optionalString(definition, 'version', path),
      image: optionalString(definition, 'image', path),
      env: nameValuePairs<EnvVar>(definition, 'env', path, (item, at) => ({
        name: optionalString(item, 'name', at),
        value: optionalString(item, 'value', at),
      })),
      framework: { name: frameworkName, parameters: optionalObject(framework, 'parameters', `${path}.framework`) },
    },
    compiledPipeline: root['compiledPipeline'] ?? null,
  };
}

function triggerIndicator(source: JsonObject, path: string): TriggerIndicator | undefined {
  const value = source['triggerIndicator'];
  if (value === undefined || value === null) return undefined;
  const at = `${path}.triggerIndicator`;
  const object = requireObject(value, at);
  return {
    type: optionalString(object, 'type', at),
    source: optionalString(object, 'source', at),
    sourceNamespace: optionalString(object, 'sourceNamespace', at),
  };
}

function runFields(source: JsonObject, path: string, nameRequired: boolean): RunDefinition {
  const trigger = triggerIndicator(source, path);
  const name = nameRequired ? requiredName(source, 'name', path) : namespacedName(source, 'name', path);
  const runConfigurationName = namespacedName(source, 'runConfigurationName', path);
  // A run the operator starts for a run configuration may have no name of its own (SPEC §2);
  // with neither there is nothing to label it or report its completion under.
  if (isEmptyNamespacedName(name) && isEmptyNamespacedName(runConfigurationName)) {
    throw new InvalidInputError(`${path}.name or ${path}.runConfigurationName must not be empty`);
  }
  return {
    name,
    version: optionalString(source, 'version', path),
    pipelineName: requiredName(source, 'pipelineName', path),
    pipelineVersion: optionalString(source, 'pipelineVersion', path),
    runConfigurationName,
    experimentName: namespacedName(source, 'experimentName', path),
    parameters: optionalStringMap(source, 'parameters', path),
    artifacts: nameValuePairs<OutputArtifact>(source, 'artifacts', path, (item, at) => ({
      name: optionalString(item, 'name', at),
      path: optionalString(item, 'path', at),
    })),
    ...(trigger ? { triggerIndicator: trigger } : {}),
  };
}

/** Decodes a run create body. */
export function decodeRunDefinition(body: unknown): RunDefinition {
  return runFields(requireObject(body, 'body'), 'run', false);
}

/** Decodes a run schedule create/update body: a run plus a schedule and a trigger indicator. */
export function decodeRunScheduleDefinition(body: unknown): RunScheduleDefinition {
  const path = 'runschedule';
  const root = requireObject(body, 'body');
  // A schedule is a Kubernetes resource of the operator's, so it always has a name.
  const run = runFields(root, path, true);
  if (!run.triggerIndicator) throw new InvalidInputError(`${path}.triggerIndicator is required`);
  if (!isJsonObject(root['schedule'])) throw new InvalidInputError(`${path}.schedule must be a JSON object`);
  const scheduleObject = root['schedule'];
  const at = `${path}.schedule`;
  const startTime = timestamp(scheduleObject, 'startTime', at);
  const endTime = timestamp(scheduleObject, 'endTime', at);
  if (startTime && endTime && endTime.getTime() < startTime.getTime()) {
    throw new InvalidInputError(`${at}.endTime must not be before ${at}.startTime`);
  }
  const schedule: Schedule = {
    cron: parseCron(optionalString(scheduleObject, 'cronExpression', at)),
    ...(startTime ? { startTime } : {}),
    ...(endTime ? { endTime } : {}),
  };
  return { ...run, triggerIndicator: run.triggerIndicator, schedule };
}

/** Decodes an experiment create/update body. */
export function decodeExperimentDefinition(body: unknown): ExperimentDefinition {
  const path = 'experiment';
  const root = requireObject(body, 'body');
  return {
    name: requiredName(root, 'name', path),
    version: optionalString(root, 'version', path),
    description: optionalString(root, 'description', path),
  };
}
