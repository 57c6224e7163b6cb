import { type EventNormalisation, invalidEvent } from '../../domain/event-normalisation.js';
import type { NamespacedName } from '../../domain/namespaced-name.js';
import { decodePipelineJobLogEntry } from '../../domain/vertex/pipeline-job-log-entry.js';
import { completionOfVertexJob } from '../../domain/vertex/vertex-job-completion.js';
import type { RunEventNormaliser } from '../../ports/run-event-normaliser.js';
import type { VertexPipelineBackend } from './vertex-pipeline-backend.js';

/**
 * Turns a Cloud Logging entry about a pipeline job into a run completion by fetching the job.
 * An entry without a job id, or naming a job Vertex AI does not know, is `invalid` (dropped, not
 * retried forever); a job still running is `pending` and a failed fetch throws, so the pipeline
 * retries either later.
 */
export class VertexRunEventNormaliser implements RunEventNormaliser {
  readonly #jobs: Pick<VertexPipelineBackend, 'getPipelineJob'>;
  readonly #provider: NamespacedName;

  constructor(jobs: Pick<VertexPipelineBackend, 'getPipelineJob'>, provider: NamespacedName) {
    this.#jobs = jobs;
    this.#provider = provider;
  }

  async normalise(payload: unknown): Promise<EventNormalisation> {
    const entry = decodePipelineJobLogEntry(payload);
    if (entry.kind === 'invalid') return invalidEvent(entry.reason);
    const job = await this.#jobs.getPipelineJob(entry.jobId);
    if (!job) return invalidEvent(`pipeline job ${entry.jobId} does not exist on Vertex AI`);
    return completionOfVertexJob(entry.jobId, job, this.#provider);
  }
}
