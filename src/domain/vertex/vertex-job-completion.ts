import { type EventNormalisation, completedOrInvalid, pendingEvent } from '../event-normalisation.js';
import type { NamespacedName } from '../namespaced-name.js';
import type { Artifact, PipelineComponent } from '../run-completion-event.js';
import { runLabelKeys } from '../run-labels.js';
import { statusOfVertexJobState } from '../run-status-mapping.js';

/** One task of a finished job and what it produced, keyed by output name. */
export interface VertexJobTask {
  readonly taskName: string;
  readonly outputs: ReadonlyArray<{ readonly name: string; readonly artifacts: readonly Artifact[] }>;
}

/** What a fetched pipeline job says about how its run went. */
export interface VertexJobReport {
  /** `PIPELINE_STATE_…`. */
  readonly state: string;
  /** The job's (sanitised) labels, which name the pipeline, run and run configuration. */
  readonly labels: Readonly<Record<string, string>>;
  readonly startTime?: Date;
  readonly endTime?: Date;
  /** `jobDetail.taskDetails`, in order. */
  readonly tasks: readonly VertexJobTask[];
}

function labelledName(labels: Readonly<Record<string, string>>, nameKey: string, namespaceKey: string): NamespacedName | undefined {
  const name = labels[nameKey] ?? '';
  const namespace = labels[namespaceKey] ?? '';
  return name === '' && namespace === '' ? undefined : { namespace, name };
}

/**
 * The run completion a fetched job stands for, or `pending` while the job has not finished: the
 * log entry that named it may be about an earlier state change, so the job is asked about later.
 * `jobId` (the id from the log entry) becomes the event's `runId`. Names come back from the
 * job's labels, so they are the sanitised forms written at creation.
 */
export function completionOfVertexJob(jobId: string, job: VertexJobReport, provider: NamespacedName): EventNormalisation {
  const status = statusOfVertexJobState(job.state);
  if (status === undefined) return pendingEvent(`pipeline job ${jobId} has not finished yet (state ${job.state || 'unknown'})`);
  const k = runLabelKeys;
  const runConfigurationName = labelledName(job.labels, k.runConfigurationName, k.runConfigurationNamespace);
  const runName = labelledName(job.labels, k.runName, k.runNamespace);
  const pipelineComponents: PipelineComponent[] = job.tasks.map((task) => ({
    name: task.taskName,
    componentArtifacts: task.outputs.map((output) => ({ name: output.name, artifacts: output.artifacts })),
  }));
  return completedOrInvalid({
    status,
    pipelineName: { namespace: job.labels[k.pipelineNamespace] ?? '', name: job.labels[k.pipelineName] ?? '' },
    ...(runConfigurationName ? { runConfigurationName } : {}),
    ...(runName ? { runName } : {}),
    runId: jobId,
    ...(job.startTime ? { runStartTime: job.startTime } : {}),
    ...(job.endTime ? { runEndTime: job.endTime } : {}),
    pipelineComponents,
    provider,
  });
}
