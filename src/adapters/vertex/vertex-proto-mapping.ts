import type { google } from '@google-cloud/aiplatform/build/protos/protos.js';
import { protobufStructToJson } from '../../domain/protobuf-json.js';
import type { Artifact } from '../../domain/run-completion-event.js';
import type { VertexJobReport, VertexJobTask } from '../../domain/vertex/vertex-job-completion.js';
import type { VertexPipelineJob } from '../../domain/vertex/vertex-pipeline-job.js';
import type { VertexSchedule } from '../../domain/vertex/vertex-schedule.js';
import { fromProtoTimestamp, toProtoStruct, toProtoTimestamp, toProtoValue } from './protobuf-values.js';

type ProtoPipelineJob = google.cloud.aiplatform.v1.IPipelineJob;
type ProtoSchedule = google.cloud.aiplatform.v1.ISchedule;
type ProtoAiplatformValue = google.cloud.aiplatform.v1.IValue;
type ProtoValue = google.protobuf.IValue;

/** Encodes a job for CreatePipelineJob (or a schedule's job request), every Struct and Value built. */
export function toProtoPipelineJob(job: VertexPipelineJob): ProtoPipelineJob {
  const parameters: Record<string, ProtoAiplatformValue> = {};
  for (const [key, value] of Object.entries(job.runtimeConfig.parameters)) parameters[key] = { stringValue: value };
  const parameterValues: Record<string, ProtoValue> = {};
  for (const [key, value] of Object.entries(job.runtimeConfig.parameterValues)) parameterValues[key] = toProtoValue(value);
  return {
    name: job.name,
    displayName: job.displayName,
    labels: { ...job.labels },
    pipelineSpec: toProtoStruct(job.pipelineSpec),
    templateUri: job.templateUri,
    serviceAccount: job.serviceAccount,
    runtimeConfig: { gcsOutputDirectory: job.runtimeConfig.gcsOutputDirectory, parameters, parameterValues },
    ...(job.pscNetworkAttachment ? { pscInterfaceConfig: { networkAttachment: job.pscNetworkAttachment } } : {}),
  };
}

/** Encodes a schedule for CreateSchedule/UpdateSchedule; `parent` is where its jobs are created. */
export function toProtoSchedule(schedule: VertexSchedule, parent: string, name?: string): ProtoSchedule {
  return {
    ...(name ? { name } : {}),
    displayName: schedule.displayName,
    cron: schedule.cron,
    maxConcurrentRunCount: schedule.maxConcurrentRunCount,
    allowQueueing: schedule.allowQueueing,
    ...(schedule.startTime ? { startTime: toProtoTimestamp(schedule.startTime) } : {}),
    ...(schedule.endTime ? { endTime: toProtoTimestamp(schedule.endTime) } : {}),
    createPipelineJobRequest: { parent, pipelineJob: toProtoPipelineJob(schedule.job) },
  };
}

function task(detail: google.cloud.aiplatform.v1.IPipelineTaskDetail): VertexJobTask {
  return {
    taskName: detail.taskName ?? '',
    outputs: Object.entries(detail.outputs ?? {}).map(([name, list]) => ({
      name,
      artifacts: (list.artifacts ?? []).map((artifact): Artifact => ({
        uri: artifact.uri ?? '',
        metadata: protobufStructToJson(artifact.metadata),
      })),
    })),
  };
}

/** Decodes a fetched job into what the completion rules read. */
export function reportOfProtoPipelineJob(job: ProtoPipelineJob): VertexJobReport {
  const startTime = fromProtoTimestamp(job.startTime);
  const endTime = fromProtoTimestamp(job.endTime);
  return {
    state: typeof job.state === 'string' ? job.state : String(job.state ?? ''),
    labels: { ...(job.labels ?? {}) },
    ...(startTime ? { startTime } : {}),
    ...(endTime ? { endTime } : {}),
    tasks: (job.jobDetail?.taskDetails ?? []).map(task),
  };
}
