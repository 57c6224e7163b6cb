import { isJsonObject } from '../json-fields.js';

/** What a Pub/Sub message from the Cloud Logging sink turned out to hold. */
export type PipelineJobLogEntry =
  /** A pipeline job log entry; the job id is what the job is fetched by. */
  | { readonly kind: 'job'; readonly jobId: string }
  /** Not a pipeline job log entry; the reason says what was wrong. */
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Decodes a Cloud Logging entry (JSON text or already parsed) down to the one field that matters,
 * `resource.labels.pipeline_job_id`. Everything else in the entry is ignored: the job itself is
 * the authority on how the run ended.
 */
export function decodePipelineJobLogEntry(payload: unknown): PipelineJobLogEntry {
  let entry = payload;
  if (typeof payload === 'string') {
    try {
      entry = JSON.parse(payload);
    } catch {
      return { kind: 'invalid', reason: 'the message is not JSON' };
    }
  }
  if (!isJsonObject(entry)) return { kind: 'invalid', reason: 'the log entry is not a JSON object' };
  const resource = entry['resource'];
  const labels = isJsonObject(resource) ? resource['labels'] : undefined;
  const jobId = isJsonObject(labels) ? labels['pipeline_job_id'] : undefined;
  if (typeof jobId !== 'string' || jobId === '') {
    return { kind: 'invalid', reason: 'the log entry has no resource.labels.pipeline_job_id string' };
  }
  return { kind: 'job', jobId };
}
