import type { RunScheduleDefinition } from '../definitions.js';
import { InvalidInputError } from '../errors.js';
import { resourceName } from '../namespaced-name.js';
import type { VertexPipelineJob } from './vertex-pipeline-job.js';

/** A Vertex AI schedule as this service submits it, before any protobuf encoding. */
export interface VertexSchedule {
  /** `rc-{ns}-{name}`. */
  readonly displayName: string;
  /** Standard 5-field cron. */
  readonly cron: string;
  readonly maxConcurrentRunCount: number;
  /** Runs beyond the limit wait instead of being skipped. */
  readonly allowQueueing: boolean;
  readonly startTime?: Date;
  readonly endTime?: Date;
  /** The job every firing creates; Vertex AI chooses the job ids. */
  readonly job: VertexPipelineJob;
}

const scheduleNamePattern = /^projects\/[^/]+\/locations\/[^/]+\/schedules\/[^/]+$/;

/**
 * Builds the schedule for a run schedule. A start time is only sent when it is still ahead of
 * `now`: Vertex AI would otherwise catch up on every firing since then. An end time is always sent.
 */
export function buildVertexSchedule(
  definition: RunScheduleDefinition,
  job: VertexPipelineJob,
  maxConcurrentRunCount: number,
  now: Date,
): VertexSchedule {
  const { startTime, endTime } = definition.schedule;
  return {
    displayName: `rc-${resourceName(definition.name)}`,
    cron: definition.schedule.cron.standard,
    maxConcurrentRunCount,
    allowQueueing: true,
    ...(startTime && startTime.getTime() > now.getTime() ? { startTime } : {}),
    ...(endTime ? { endTime } : {}),
    job,
  };
}

/**
 * The field mask of an update: exactly the Schedule fields {@link buildVertexSchedule} set (proto
 * field names). Vertex AI cannot unset a field, so an absent start or end time is left alone.
 */
export function vertexScheduleUpdateMask(schedule: VertexSchedule): string[] {
  return [
    'display_name',
    'cron',
    'max_concurrent_run_count',
    'allow_queueing',
    'create_pipeline_job_request',
    ...(schedule.startTime ? ['start_time'] : []),
    ...(schedule.endTime ? ['end_time'] : []),
  ];
}

/** Rejects a schedule id that is not a full schedule resource name (`projects/…/schedules/…`). */
export function checkVertexScheduleName(id: string): void {
  if (!scheduleNamePattern.test(id)) {
    throw new InvalidInputError(
      `run schedule id "${id}" is not a Vertex AI schedule name (projects/{project}/locations/{location}/schedules/{id})`,
    );
  }
}
