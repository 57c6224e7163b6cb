import type { PipelineResource, RunDefinition, RunScheduleDefinition } from '../../domain/definitions.js';
import { InvalidInputError } from '../../domain/errors.js';
import { type NamespacedName, formatNamespacedName, parseNamespacedName } from '../../domain/namespaced-name.js';
import { runLabels, runScheduleLabels } from '../../domain/run-labels.js';
import { readCompiledPipeline } from '../../domain/vertex/compiled-pipeline.js';
import { vertexJobId, vertexRunId } from '../../domain/vertex/vertex-job-id.js';
import { type VertexJobSettings, type VertexPipelineJob, buildVertexPipelineJob } from '../../domain/vertex/vertex-pipeline-job.js';
import { pipelineObjectPath, pipelineObjectPrefix } from '../../domain/vertex/vertex-pipeline-location.js';
import { type VertexSchedule, buildVertexSchedule, checkVertexScheduleName } from '../../domain/vertex/vertex-schedule.js';
import type { Clock } from '../../ports/clock.js';
import type { Provider } from '../../ports/provider.js';
import type { GcsPipelineStore } from './gcs-pipeline-store.js';
import type { VertexPipelineBackend } from './vertex-pipeline-backend.js';

/** What the Vertex AI provider is built from. */
export interface VertexProviderDependencies {
  readonly store: GcsPipelineStore;
  readonly backend: VertexPipelineBackend;
  readonly clock: Clock;
  /** `PROVIDERNAME`, written on every job. */
  readonly providerName: NamespacedName;
  readonly jobSettings: VertexJobSettings;
  /** Limit of each schedule's concurrent runs. */
  readonly maxConcurrentRunCount: number;
}

function pipelineIdOf(id: string): string {
  const name = parseNamespacedName(id, 'pipeline id');
  if (name.name === '') throw new InvalidInputError('pipeline id must not be empty');
  return formatNamespacedName(name);
}

/**
 * The Vertex AI provider: pipelines in GCS, runs as pipeline jobs, run schedules as Vertex
 * schedules. Experiments are left out, so every experiment operation answers 501; runs cannot be
 * updated (501) and deleting one is a no-op, since a job is the record of a run that happened.
 */
export function createVertexProvider(deps: VertexProviderDependencies): Provider {
  const { store, backend } = deps;

  async function savePipeline(resource: PipelineResource): Promise<string> {
    const { name, version } = resource.definition;
    await store.write(pipelineObjectPath(name, version), resource.compiledPipeline);
    return formatNamespacedName(name);
  }

  async function jobFor(run: RunDefinition, labels: Readonly<Record<string, string>>): Promise<VertexPipelineJob> {
    const path = pipelineObjectPath(run.pipelineName, run.pipelineVersion);
    const describedAs = `pipeline ${formatNamespacedName(run.pipelineName)} version ${run.pipelineVersion}`;
    const compiled = readCompiledPipeline(await store.read(path, describedAs), describedAs);
    return buildVertexPipelineJob(run, labels, compiled, deps.jobSettings);
  }

  async function scheduleFor(definition: RunScheduleDefinition): Promise<VertexSchedule> {
    const job = await jobFor(definition, runScheduleLabels(definition, deps.providerName));
    return buildVertexSchedule(definition, job, deps.maxConcurrentRunCount, deps.clock.now());
  }

  return {
    pipeline: {
      create: savePipeline,
      // The path id and the definition name agree for the operator; the definition is what is stored.
      update: async (_id, resource) => savePipeline(resource),
      delete: async (id) => store.deletePrefix(pipelineObjectPrefix(pipelineIdOf(id))),
    },
    run: {
      create: async (run) => {
        const jobId = vertexJobId(run);
        await backend.createPipelineJob(jobId, await jobFor(run, runLabels(run, deps.providerName)));
        return vertexRunId(run);
      },
      delete: async () => {},
    },
    runschedule: {
      create: async (definition) => backend.createSchedule(await scheduleFor(definition)),
      update: async (id, definition) => {
        checkVertexScheduleName(id);
        return backend.updateSchedule(id, await scheduleFor(definition));
      },
      delete: async (id) => {
        checkVertexScheduleName(id);
        await backend.deleteSchedule(id);
      },
    },
    experiment: {},
  };
}
