import { type NamespacedName, formatNamespacedName, isEmptyNamespacedName } from './namespaced-name.js';

/** How a finished run ended, in the operator's words. */
export const runCompletionStatuses = ['succeeded', 'failed'] as const;

/** One of {@link runCompletionStatuses}. */
export type RunCompletionStatus = (typeof runCompletionStatuses)[number];

/** One output artifact of a run: where it is and what the backend knows about it. */
export interface Artifact {
  readonly uri: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** The artifacts a component produced under one output name. */
export interface ComponentArtifact {
  readonly name: string;
  readonly artifacts: readonly Artifact[];
}

/** A pipeline component (task) and its outputs. */
export interface PipelineComponent {
  readonly name: string;
  readonly componentArtifacts: readonly ComponentArtifact[];
}

/** A finished run, normalised from whatever the backend reported. */
export interface RunCompletionEvent {
  readonly status: RunCompletionStatus;
  readonly pipelineName: NamespacedName;
  readonly runConfigurationName?: NamespacedName;
  readonly runName?: NamespacedName;
  readonly runId: string;
  readonly runStartTime?: Date;
  readonly runEndTime?: Date;
  readonly pipelineComponents: readonly PipelineComponent[];
  readonly provider: NamespacedName;
}

/** The JSON body the operator's webhook accepts (RunCompletionEventData). */
export interface RunCompletionEventData {
  status: RunCompletionStatus;
  pipelineName: string;
  runConfigurationName?: string;
  runName?: string;
  runId: string;
  runStartTime?: string;
  runEndTime?: string;
  pipelineComponents: PipelineComponent[];
  provider: string;
}

function named(value: NamespacedName | undefined): value is NamespacedName {
  return value !== undefined && !isEmptyNamespacedName(value);
}

/** Renders an event as the webhook body: empty names and unknown times are omitted. */
export function toRunCompletionEventData(event: RunCompletionEvent): RunCompletionEventData {
  return {
    status: event.status,
    pipelineName: formatNamespacedName(event.pipelineName),
    ...(named(event.runConfigurationName) ? { runConfigurationName: formatNamespacedName(event.runConfigurationName) } : {}),
    ...(named(event.runName) ? { runName: formatNamespacedName(event.runName) } : {}),
    runId: event.runId,
    ...(event.runStartTime ? { runStartTime: event.runStartTime.toISOString() } : {}),
    ...(event.runEndTime ? { runEndTime: event.runEndTime.toISOString() } : {}),
    pipelineComponents: event.pipelineComponents.map((component) => ({
      name: component.name,
      componentArtifacts: component.componentArtifacts.map((output) => ({
        name: output.name,
        artifacts: output.artifacts.map((artifact) => ({ uri: artifact.uri, metadata: { ...artifact.metadata } })),
      })),
    })),
    provider: formatNamespacedName(event.provider),
  };
}

/**
 * Why the operator could never accept this event, or `undefined` when it could. The operator
 * answers 400 to an event naming neither a run nor a run configuration, and cannot decode a
 * namespace without a name; sending such an event would only be retried for nothing.
 */
export function unacceptableEventReason(event: RunCompletionEvent): string | undefined {
  const names: Array<[string, NamespacedName | undefined]> = [
    ['pipelineName', event.pipelineName],
    ['runConfigurationName', event.runConfigurationName],
    ['runName', event.runName],
    ['provider', event.provider],
  ];
  for (const [field, value] of names) {
    if (value && value.namespace !== '' && value.name === '') return `${field} has namespace "${value.namespace}" but no name`;
  }
  if (!named(event.runName) && !named(event.runConfigurationName)) {
    return `run ${event.runId || '(no id)'} names neither a run nor a run configuration`;
  }
  if (event.runId === '') return 'the event has no run id';
  if (event.runStartTime && Number.isNaN(event.runStartTime.getTime())) return 'runStartTime is not a valid time';
  if (event.runEndTime && Number.isNaN(event.runEndTime.getTime())) return 'runEndTime is not a valid time';
  return undefined;
}
