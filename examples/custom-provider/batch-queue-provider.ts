import {
  BackendError,
  type ExperimentDefinition,
  formatNamespacedName,
  type InMemoryRunEventSource,
  type PipelineResource,
  type Provider,
  type ResourceOperations,
  type RunDefinition,
  type RunScheduleDefinition,
} from '../../src/index.js';

/** What the (imaginary) batch system reports about a job: its own format, not the operator's. */
export interface BatchJobEvent {
  readonly jobId: string;
  readonly state: 'RUNNING' | 'DONE' | 'ERROR';
  /** `namespace/name` strings, as the job was labelled when it was submitted. */
  readonly labels: { readonly pipeline: string; readonly run: string; readonly runConfiguration: string };
  readonly startedAt: string;
  readonly finishedAt?: string;
}

/**
 * A custom provider for a batch system that runs pipelines as jobs. It keeps pipelines itself,
 * submits runs as jobs, and offers no schedules or experiments (those answer 501). The job
 * system's events arrive in the in-memory source; here the "job" simply finishes at once.
 */
export class BatchQueueProvider implements Provider {
  readonly pipeline: ResourceOperations<PipelineResource> = {
    create: async (resource) => this.#storePipeline(resource),
    update: async (_id, resource) => this.#storePipeline(resource),
    delete: async (id) => this.#deletePipeline(id),
  };

  readonly run: ResourceOperations<RunDefinition> = {
    create: async (run) => this.#submitJob(run),
    // Finished jobs cannot be cancelled: deleting a run only forgets it, so it always succeeds.
    delete: async () => undefined,
  };

  readonly runschedule: ResourceOperations<RunScheduleDefinition> = {};
  readonly experiment: ResourceOperations<ExperimentDefinition> = {};

  readonly #pipelines = new Map<string, PipelineResource>();
  readonly #events: InMemoryRunEventSource;
  #jobs = 0;

  constructor(events: InMemoryRunEventSource) {
    this.#events = events;
  }

  #storePipeline(resource: PipelineResource): string {
    const id = formatNamespacedName(resource.definition.name);
    this.#pipelines.set(id, resource);
    return id;
  }

  #deletePipeline(id: string): void {
    this.#pipelines.delete(id);
  }

  #submitJob(run: RunDefinition): string {
    const pipeline = formatNamespacedName(run.pipelineName);
    if (!this.#pipelines.has(pipeline)) throw new BackendError(`pipeline ${pipeline} was never uploaded`);
    const jobId = `job-${++this.#jobs}`;
    const labels = {
      pipeline,
      run: formatNamespacedName(run.name),
      runConfiguration: formatNamespacedName(run.runConfigurationName),
    };
    const startedAt = new Date().toISOString();
    this.#events.publish({ jobId, state: 'RUNNING', labels, startedAt } satisfies BatchJobEvent);
    const state = run.parameters['fail'] === 'true' ? 'ERROR' : 'DONE';
    this.#events.publish({ jobId, state, labels, startedAt, finishedAt: new Date().toISOString() } satisfies BatchJobEvent);
    return jobId;
  }
}
