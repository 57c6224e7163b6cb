import { isJsonObject } from '../json-fields.js';
import type { RunCompletionStatus } from '../run-completion-event.js';
import { statusOfArgoWorkflowPhase } from '../run-status-mapping.js';

/** The workflow labels the KFP provider reads and writes. */
export const kfpWorkflowLabels = Object.freeze({
  /** Set by the KFP API server on every workflow it creates; its value is the KFP run id. */
  runId: 'pipeline/runid',
  /** Set by the Argo controller whenever the phase changes. */
  phase: 'workflows.argoproj.io/phase',
  /** Set by this provider once the run completion has been delivered. */
  eventsPublished: 'pipelines.kubeflow.org/events-published',
} as const);

/** The label selector of KFP workflows whose completion has not been delivered yet. */
export const unpublishedKfpWorkflowSelector = `${kfpWorkflowLabels.runId},${kfpWorkflowLabels.eventsPublished}!=true`;

/** What the provider needs of an Argo Workflow object. */
export interface KfpWorkflow {
  readonly name: string;
  readonly namespace: string;
  readonly resourceVersion: string;
  /** The KFP run id; `""` when the workflow was not started by KFP. */
  readonly runId: string;
  /** How the run ended; `undefined` while it has not finished. */
  readonly status?: RunCompletionStatus;
  /** True once this provider marked the completion as delivered. */
  readonly published: boolean;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Reads a Workflow object; `undefined` when it is not a Kubernetes object at all. */
export function readKfpWorkflow(object: unknown): KfpWorkflow | undefined {
  if (!isJsonObject(object) || !isJsonObject(object['metadata'])) return undefined;
  const metadata = object['metadata'];
  const labels = isJsonObject(metadata['labels']) ? metadata['labels'] : {};
  const status = isJsonObject(object['status']) ? object['status'] : {};
  // The controller writes the phase label and status.phase in the same update; the label is what
  // the Go provider reads, status.phase covers objects relayed without labels.
  const phase = text(labels[kfpWorkflowLabels.phase]) || text(status['phase']);
  const completion = statusOfArgoWorkflowPhase(phase);
  return {
    name: text(metadata['name']),
    namespace: text(metadata['namespace']),
    resourceVersion: text(metadata['resourceVersion']),
    runId: text(labels[kfpWorkflowLabels.runId]),
    ...(completion ? { status: completion } : {}),
    published: labels[kfpWorkflowLabels.eventsPublished] === 'true',
  };
}

/** True for a KFP workflow that finished and whose completion was not delivered yet. */
export function isFinishedUnpublishedKfpWorkflow(workflow: KfpWorkflow | undefined): workflow is KfpWorkflow {
  return workflow !== undefined && workflow.runId !== '' && workflow.status !== undefined && !workflow.published;
}

/** One JSON Patch (RFC 6902) operation. */
export interface JsonPatchOperation {
  readonly op: 'add';
  readonly path: string;
  readonly value: string;
}

/** An RFC 6901 pointer: `~` → `~0`, then `/` → `~1` in each segment. */
export function jsonPointer(...segments: readonly string[]): string {
  return segments.map((segment) => `/${segment.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/**
 * The patch marking a workflow's completion as delivered. `add` creates or overwrites the label,
 * where the Go provider's `replace` of a missing member only works on lenient servers.
 */
export function eventsPublishedPatch(): JsonPatchOperation[] {
  return [{ op: 'add', path: jsonPointer('metadata', 'labels', kfpWorkflowLabels.eventsPublished), value: 'true' }];
}
