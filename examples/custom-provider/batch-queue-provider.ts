import {
  BackendError,
  formatNamespacedName,
  type InMemoryRunEventSource,
  type PipelineResource,
  type Provider,
  type RunDefinition,
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
  readonly #pipelines = new Map<string, PipelineResource>();
  #jobs = 0;

  constructor(private readonly events: InMemoryRunEventSource) {}

  readonly pipeline = {
    create: async (resource: PipelineResource): Promise<string> => this.#store(resource),
    update: async (_id: string, resource: PipelineResource): Promise<string> => this.#store(resource),
    delete: async (id: string): Promise<void> => {
      this.#pipelines.delete(id);
    },
  };

  readonly run = {
    create: async (run: RunDefinition): Promise<string> => {
      const pipeline = formatNamespacedName(run.pipelineName);
      if (!this.#pipelines.has(pipeline)) throw new BackendError(`pipeline ${pipeline} was never uploaded`);
      const jobId = `job-${++this.#jobs}`;
      const labels = {
        pipeline,
        run: formatNamespacedName(run.name),
        runConfiguration: formatNamespacedName(run.runConfigurationName),
      };
      const startedAt = new Date().toISOString();
      this.events.publish({ jobId, state: 'RUNNING', labels, startedAt } satisfies BatchJobEvent);
      const state = run.parameters['fail'] === 'true' ? 'ERROR' : 'DONE';
      this.events.publish({ jobId, state, labels, startedAt, finishedAt: new Date().toISOString() } satisfies BatchJobEvent);
      return jobId;
    },
    // Finished jobs cannot be cancelled: deleting a run only forgets it, so it always succeeds.
    delete: async (_id: string): Promise<void> => undefined,
  };

  readonly runschedule = {};
  readonly experiment = {};

  #store(resource: PipelineResource): string {
    const id = formatNamespacedName(resource.definition.name);
    this.#pipelines.set(id, resource);
    return id;
  }
}
