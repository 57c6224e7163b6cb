import type { ExperimentDefinition, PipelineResource, RunDefinition, RunScheduleDefinition } from '../../domain/definitions.js';
import { InvalidInputError } from '../../domain/errors.js';
import { type NamespacedName, formatNamespacedName, parseNamespacedName } from '../../domain/namespaced-name.js';
import { runLabels, runScheduleLabels } from '../../domain/run-labels.js';
import { readCompiledPipeline } from '../../domain/vertex/compiled-pipeline.js';
import { vertexJobId, vertexRunId } from '../../domain/vertex/vertex-job-id.js';
import { type VertexJobSettings, type VertexPipelineJob, buildVertexPipelineJob } from '../../domain/vertex/vertex-pipeline-job.js';
import { pipelineObjectPath, pipelineObjectPrefix } from '../../domain/vertex/vertex-pipeline-location.js';
import { type VertexSchedule, buildVertexSchedule, checkVertexScheduleName } from '../../domain/vertex/vertex-schedule.js';
import type { Clock } from '../../ports/clock.js';
import type { Provider, ResourceOperations } from '../../ports/provider.js';
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
export class VertexProvider implements Provider {
  readonly pipeline: ResourceOperations<PipelineResource> = {
    create: (resource) => this.#savePipeline(resource),
    // The path id and the definition name agree for the operator; the definition is what is stored.
    update: (_id, resource) => this.#savePipeline(resource),
    delete: (id) => this.#deletePipeline(id),
  };

  readonly run: ResourceOperations<RunDefinition> = {
    create: (run) => this.#createJob(run),
    delete: async () => undefined,
  };

  readonly runschedule: ResourceOperations<RunScheduleDefinition> = {
    create: (definition) => this.#createSchedule(definition),
    update: (id, definition) => this.#updateSchedule(id, definition),
    delete: (id) => this.#deleteSchedule(id),
  };

  readonly experiment: ResourceOperations<ExperimentDefinition> = {};

  readonly #deps: VertexProviderDependencies;

  constructor(deps: VertexProviderDependencies) {
    this.#deps = deps;
  }

  async #savePipeline(resource: PipelineResource): Promise<string> {
    const { name, version } = resource.definition;
    await this.#deps.store.write(pipelineObjectPath(name, version), resource.compiledPipeline);
    return formatNamespacedName(name);
  }

  async #deletePipeline(id: string): Promise<void> {
    await this.#deps.store.deletePrefix(pipelineObjectPrefix(pipelineIdOf(id)));
  }

  async #createJob(run: RunDefinition): Promise<string> {
    const created = await this.#deps.backend.createPipelineJob(
      vertexJobId(run),
      await this.#jobFor(run, runLabels(run, this.#deps.providerName)),
    );
    return vertexRunId(run) ?? created;
  }

  async #createSchedule(definition: RunScheduleDefinition): Promise<string> {
    return this.#deps.backend.createSchedule(await this.#scheduleFor(definition));
  }

  async #updateSchedule(id: string, definition: RunScheduleDefinition): Promise<string> {
    checkVertexScheduleName(id);
    return this.#deps.backend.updateSchedule(id, await this.#scheduleFor(definition));
  }

  async #deleteSchedule(id: string): Promise<void> {
    checkVertexScheduleName(id);
    await this.#deps.backend.deleteSchedule(id);
  }

  async #jobFor(run: RunDefinition, labels: Readonly<Record<string, string>>): Promise<VertexPipelineJob> {
    const path = pipelineObjectPath(run.pipelineName, run.pipelineVersion);
    const describedAs = `pipeline ${formatNamespacedName(run.pipelineName)} version ${run.pipelineVersion}`;
    const compiled = readCompiledPipeline(await this.#deps.store.read(path, describedAs), describedAs);
    return buildVertexPipelineJob(run, labels, compiled, this.#deps.jobSettings);
  }

  async #scheduleFor(definition: RunScheduleDefinition): Promise<VertexSchedule> {
    const job = await this.#jobFor(definition, runScheduleLabels(definition, this.#deps.providerName));
    return buildVertexSchedule(definition, job, this.#deps.maxConcurrentRunCount, this.#deps.clock.now());
  }
}
