import { type EventNormalisation, completedOrInvalid, pendingEvent } from '../event-normalisation.js';
import { isJsonObject } from '../json-fields.js';
import type { NamespacedName } from '../namespaced-name.js';
import type { PipelineComponent, RunCompletionStatus } from '../run-completion-event.js';
import { runLabelKeys } from '../run-labels.js';

/** What a completion event takes from a KFP run (`GET /apis/v2beta1/runs/{id}`). */
export interface KfpRunFacts {
  /** `runtime_config.parameters`; a value that is not a string reads as `""`. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly createdAt?: Date;
  readonly finishedAt?: Date;
}

function time(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const millis = Date.parse(value);
  // KFP renders an unset timestamp as the epoch rather than leaving it out.
  return Number.isNaN(millis) || millis <= 0 ? undefined : new Date(millis);
}

/** Reads the fields of a KFP run response that events use; unset times (absent or epoch) are `undefined`. */
export function readKfpRunFacts(run: unknown): KfpRunFacts {
  const body = isJsonObject(run) ? run : {};
  const config = isJsonObject(body['runtime_config']) ? body['runtime_config'] : {};
  const raw = isJsonObject(config['parameters']) ? config['parameters'] : {};
  const parameters = Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, typeof value === 'string' ? value : '']));
  const createdAt = time(body['created_at']);
  const finishedAt = time(body['finished_at']);
  return { parameters, ...(createdAt ? { createdAt } : {}), ...(finishedAt ? { finishedAt } : {}) };
}

/** Everything a KFP run completion is built from. */
export interface KfpRunCompletionInput {
  readonly status: RunCompletionStatus;
  readonly runId: string;
  readonly run: KfpRunFacts;
  /** The run's components from ML Metadata; `undefined` when MLMD has no context for the run. */
  readonly components: readonly PipelineComponent[] | undefined;
  readonly provider: NamespacedName;
  /** The end time used while KFP has not recorded one. */
  readonly now: Date;
}

/**
 * The run completion of a finished KFP run: names from the label parameters the provider set on
 * the run, start from `created_at`, end from `finished_at` (or `now`). A run the operator did not
 * start names neither run nor run configuration and comes back `invalid`. A succeeded run whose
 * ML Metadata context is missing is `pending`: KFP writes MLMD behind the workflow.
 */
export function kfpRunCompletion(input: KfpRunCompletionInput): EventNormalisation {
  // A run that failed before its first task has no MLMD context and never will; a succeeded run
  // always has one, so its absence is a lag worth waiting out.
  if (input.components === undefined && input.status === 'succeeded') {
    return pendingEvent(`ML Metadata has no context for KFP run ${input.runId} yet`);
  }
  const parameter = (key: string): string => input.run.parameters[key] ?? '';
  const name = (namespaceKey: string, nameKey: string): NamespacedName => ({
    namespace: parameter(namespaceKey),
    name: parameter(nameKey),
  });
  const k = runLabelKeys;
  return completedOrInvalid({
    status: input.status,
    pipelineName: name(k.pipelineNamespace, k.pipelineName),
    runConfigurationName: name(k.runConfigurationNamespace, k.runConfigurationName),
    runName: name(k.runNamespace, k.runName),
    runId: input.runId,
    ...(input.run.createdAt ? { runStartTime: input.run.createdAt } : {}),
    runEndTime: input.run.finishedAt ?? input.now,
    pipelineComponents: input.components ?? [],
    provider: input.provider,
  });
}
