import type { RunDefinition, RunScheduleDefinition } from './definitions.js';
import { isEmptyNamespacedName, type NamespacedName } from './namespaced-name.js';

/** The label keys every provider writes on runs so that completion events can name their origin. */
export const runLabelKeys = Object.freeze({
  pipelineName: 'pipeline-name',
  pipelineNamespace: 'pipeline-namespace',
  pipelineVersion: 'pipeline-version',
  runConfigurationName: 'runconfiguration-name',
  runConfigurationNamespace: 'runconfiguration-namespace',
  runName: 'run-name',
  runNamespace: 'run-namespace',
  triggerType: 'trigger-type',
  triggerSource: 'trigger-source',
  triggerSourceNamespace: 'trigger-source-namespace',
  providerName: 'provider-name',
  providerNamespace: 'provider-namespace',
} as const);

/** Every label key, in the order they are written. */
export const allRunLabelKeys: readonly string[] = Object.freeze(Object.values(runLabelKeys));

/** Label key → value, unsanitised. */
export type RunLabels = Readonly<Record<string, string>>;

function isNamed(value: NamespacedName): boolean {
  return !isEmptyNamespacedName(value);
}

function commonLabels(definition: RunDefinition, provider: NamespacedName): Record<string, string> {
  const k = runLabelKeys;
  const labels: Record<string, string> = {
    [k.pipelineName]: definition.pipelineName.name,
    [k.pipelineNamespace]: definition.pipelineName.namespace,
    [k.pipelineVersion]: definition.pipelineVersion,
  };
  if (isNamed(definition.runConfigurationName)) {
    labels[k.runConfigurationName] = definition.runConfigurationName.name;
    labels[k.runConfigurationNamespace] = definition.runConfigurationName.namespace;
  }
  if (definition.triggerIndicator) {
    labels[k.triggerType] = definition.triggerIndicator.type;
    labels[k.triggerSource] = definition.triggerIndicator.source;
    labels[k.triggerSourceNamespace] = definition.triggerIndicator.sourceNamespace;
  }
  labels[k.providerName] = provider.name;
  labels[k.providerNamespace] = provider.namespace;
  return labels;
}

/** Labels of a one-off run: pipeline, run configuration, the run itself, trigger and provider. */
export function runLabels(definition: RunDefinition, provider: NamespacedName): RunLabels {
  const labels = commonLabels(definition, provider);
  if (isNamed(definition.name)) {
    labels[runLabelKeys.runName] = definition.name.name;
    labels[runLabelKeys.runNamespace] = definition.name.namespace;
  }
  return labels;
}

/** Labels of the runs a schedule starts: as for a run, but never naming a Run resource. */
export function runScheduleLabels(definition: RunScheduleDefinition, provider: NamespacedName): RunLabels {
  return commonLabels(definition, provider);
}

/**
 * The trigger indicator of a run fired by a schedule: type `schedule`, source the schedule's
 * name, so the operator can tell scheduled runs from manual ones.
 */
export function scheduleTrigger(schedule: NamespacedName): { type: string; source: string; sourceNamespace: string } {
  return { type: 'schedule', source: schedule.name, sourceNamespace: schedule.namespace };
}
