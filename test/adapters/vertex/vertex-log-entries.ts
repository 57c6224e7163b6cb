import { toProtoStruct } from '../../../src/adapters/vertex/protobuf-values.js';

/** Where the jobs of the Vertex event tests live. */
export const vertexParent = 'projects/test-project/locations/europe-west2';

/** The Cloud Logging entry of a finished pipeline job, as the sink publishes it. */
export function logEntry(jobId: string): string {
  return JSON.stringify({
    resource: { type: 'aiplatform.googleapis.com/PipelineJob', labels: { pipeline_job_id: jobId, location: 'europe-west2' } },
    jsonPayload: { state: 'PIPELINE_STATE_SUCCEEDED' },
  });
}

/** A pipeline job as Vertex AI answers it: `team/pipe`, run `team/{jobId}`, one model artifact. */
export function finishedJob(jobId: string, state = 'PIPELINE_STATE_SUCCEEDED'): Record<string, unknown> {
  return {
    name: `${vertexParent}/pipelineJobs/${jobId}`,
    state,
    labels: { 'pipeline-name': 'pipe', 'pipeline-namespace': 'team', 'run-name': jobId, 'run-namespace': 'team' },
    startTime: { seconds: 1_900_000_000, nanos: 500_000_000 },
    endTime: { seconds: 1_900_000_060, nanos: 0 },
    jobDetail: {
      taskDetails: [
        {
          taskName: 'Trainer',
          outputs: { model: { artifacts: [{ uri: 'gs://pipeline-root/model', metadata: toProtoStruct({ accuracy: 0.9, tags: ['a'] }) }] } },
        },
      ],
    },
  };
}
