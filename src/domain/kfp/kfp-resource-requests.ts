import type { ExperimentDefinition, RunDefinition, Schedule } from '../definitions.js';
import { isEmptyNamespacedName, resourceName } from '../namespaced-name.js';

/** The three KFP ids a run or recurring run is created from. */
export interface KfpRunTarget {
  readonly experimentId: string;
  readonly pipelineId: string;
  readonly pipelineVersionId: string;
}

/** What a run or recurring run request carries besides its target. */
export interface KfpRunRequestInput {
  readonly displayName: string;
  readonly target: KfpRunTarget;
  /** Parameter values, already of the JSON types the pipeline declares. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** `""` leaves the root to KFP's default. */
  readonly pipelineRoot: string;
}

function runFields(input: KfpRunRequestInput): Record<string, unknown> {
  return {
    display_name: input.displayName,
    experiment_id: input.target.experimentId,
    // Only the reference member of the oneof: KFP 2.14+ rejects a body naming two members.
    pipeline_version_reference: { pipeline_id: input.target.pipelineId, pipeline_version_id: input.target.pipelineVersionId },
    runtime_config: {
      parameters: { ...input.parameters },
      ...(input.pipelineRoot ? { pipeline_root: input.pipelineRoot } : {}),
    },
  };
}

/** The body of `POST /apis/v2beta1/runs`: only fields the API knows, since KFP 2.14+ rejects others. */
export function kfpRunRequest(input: KfpRunRequestInput): Record<string, unknown> {
  return runFields(input);
}

/**
 * The body of `POST /apis/v2beta1/recurringruns`: a 6-field cron (KFP's cron has seconds first),
 * optional start and end, one run at a time, no catch-up of missed intervals, enabled.
 */
export function kfpRecurringRunRequest(input: KfpRunRequestInput, schedule: Schedule): Record<string, unknown> {
  return {
    ...runFields(input),
    max_concurrency: '1',
    trigger: {
      cron_schedule: {
        cron: schedule.cron.withSeconds,
        ...(schedule.startTime ? { start_time: schedule.startTime.toISOString() } : {}),
        ...(schedule.endTime ? { end_time: schedule.endTime.toISOString() } : {}),
      },
    },
    mode: 'ENABLE',
    no_catchup: true,
  };
}

/**
 * The body of `POST /apis/v2beta1/experiments`: display name `ns-name` of the Experiment resource;
 * in multi-user mode the experiment lives in the provider namespace.
 */
export function kfpExperimentRequest(definition: ExperimentDefinition, namespace: string | undefined): Record<string, unknown> {
  return {
    display_name: resourceName(definition.name),
    ...(definition.description ? { description: definition.description } : {}),
    ...(namespace ? { namespace } : {}),
  };
}

/**
 * The display name of a KFP run: the run's own `namespace-name`, or, for a run started for a run
 * configuration without a name of its own, the run configuration's. KFP requires a display name
 * but not a unique one; the run id is what tells runs apart.
 */
export function kfpRunDisplayName(definition: RunDefinition): string {
  return resourceName(isEmptyNamespacedName(definition.name) ? definition.runConfigurationName : definition.name);
}
