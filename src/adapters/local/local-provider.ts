import type { ExperimentDefinition, PipelineResource, RunDefinition, RunScheduleDefinition } from '../../domain/definitions.js';
import { BackendError } from '../../domain/errors.js';
import { localPipelineComponents, localRunStatus, parseArtifactPath } from '../../domain/local-run-outcome.js';
import { quoteInput } from '../../domain/client-text.js';
import { formatNamespacedName, type NamespacedName } from '../../domain/namespaced-name.js';
import type { RunCompletionEvent } from '../../domain/run-completion-event.js';
import { scheduleTrigger } from '../../domain/run-labels.js';
import type { Clock } from '../../ports/clock.js';
import type { IdGenerator } from '../../ports/id-generator.js';
import type { Logger } from '../../ports/logger.js';
import type { Provider, ResourceOperations } from '../../ports/provider.js';
import { CronTimer } from './cron-timer.js';

/** Settings and collaborators of the {@link LocalProvider}. */
export interface LocalProviderOptions {
  /** How long a run takes before it completes. */
  readonly runDurationMs: number;
  /** Root of the artifact URIs runs report. */
  readonly artifactRoot: string;
  /** The Provider resource's name, reported in every event. */
  readonly providerName: NamespacedName;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  /** Receives each finished run; the local module publishes it into the event pipeline. */
  readonly onRunFinished: (event: RunCompletionEvent) => void;
}

interface StoredPipeline {
  readonly resource: PipelineResource;
  readonly versions: Set<string>;
}

interface ActiveRun {
  readonly definition: RunDefinition;
  readonly timer: NodeJS.Timeout;
}

/**
 * The embedded provider: keeps pipelines, experiments and schedules in memory, completes each
 * run after a fixed delay (failing it when its parameters say `outcome: failed`), fires
 * schedules on their cron, and reports every finished run as a real completion event. It needs
 * no cloud, which makes it the default and the backend for end-to-end tests.
 */
export class LocalProvider implements Provider {
  readonly pipeline: ResourceOperations<PipelineResource> = {
    create: async (resource) => this.#storePipeline(resource),
    // The path id and the definition name agree for the operator; the definition is what is stored.
    update: async (_id, resource) => this.#storePipeline(resource),
    delete: async (id) => this.#deletePipeline(id),
  };

  readonly run: ResourceOperations<RunDefinition> = {
    create: async (definition) => this.#createRun(definition),
    delete: async (id) => this.#deleteRun(id),
  };

  readonly runschedule: ResourceOperations<RunScheduleDefinition> = {
    create: async (definition) => this.#createSchedule(definition),
    update: async (id, definition) => this.#replaceSchedule(id, definition),
    delete: async (id) => this.#deleteSchedule(id),
  };

  readonly experiment: ResourceOperations<ExperimentDefinition> = {
    create: async (definition) => this.#storeExperiment(definition),
    update: async (_id, definition) => this.#storeExperiment(definition),
    delete: async (id) => this.#deleteExperiment(id),
  };

  readonly #options: LocalProviderOptions;
  readonly #pipelines = new Map<string, StoredPipeline>();
  readonly #experiments = new Map<string, ExperimentDefinition>();
  readonly #runs = new Map<string, ActiveRun>();
  readonly #schedules = new Map<string, { definition: RunScheduleDefinition; timer: CronTimer }>();

  constructor(options: LocalProviderOptions) {
    this.#options = options;
  }

  /** Stops every run and schedule timer; nothing fires afterwards. */
  async close(): Promise<void> {
    for (const run of this.#runs.values()) clearTimeout(run.timer);
    this.#runs.clear();
    for (const schedule of this.#schedules.values()) schedule.timer.stop();
    this.#schedules.clear();
  }

  #storePipeline(resource: PipelineResource): string {
    const id = formatNamespacedName(resource.definition.name);
    const versions = this.#pipelines.get(id)?.versions ?? new Set<string>();
    versions.add(resource.definition.version);
    this.#pipelines.set(id, { resource, versions });
    return id;
  }

  #deletePipeline(id: string): void {
    this.#pipelines.delete(id);
  }

  #storeExperiment(definition: ExperimentDefinition): string {
    const id = formatNamespacedName(definition.name);
    this.#experiments.set(id, definition);
    return id;
  }

  #deleteExperiment(id: string): void {
    this.#experiments.delete(id);
  }

  #createRun(definition: RunDefinition): string {
    this.#requirePipeline(definition);
    for (const artifact of definition.artifacts) parseArtifactPath(artifact.path);
    return this.#startRun(definition);
  }

  #deleteRun(id: string): void {
    const run = this.#runs.get(id);
    if (run) clearTimeout(run.timer);
    this.#runs.delete(id);
  }

  #createSchedule(definition: RunScheduleDefinition): string {
    const id = this.#options.ids.next();
    this.#startSchedule(id, definition);
    return id;
  }

  // As on Vertex AI, an update names a schedule that must exist: a silent create under an id
  // the provider never gave out would hide an operator that lost track of its schedules. The
  // answer is a 500 that still carries the id, so the operator keeps it.
  #replaceSchedule(id: string, definition: RunScheduleDefinition): string {
    if (!this.#schedules.has(id)) throw new BackendError(`run schedule ${quoteInput(id)} does not exist on the local provider`);
    this.#startSchedule(id, definition);
    return id;
  }

  #deleteSchedule(id: string): void {
    this.#schedules.get(id)?.timer.stop();
    this.#schedules.delete(id);
  }

  // Real providers fail a run whose pipeline version was never uploaded; so does this one, so
  // that ordering mistakes show up locally rather than on the first cloud deployment.
  #requirePipeline(definition: RunDefinition): void {
    const name = formatNamespacedName(definition.pipelineName);
    const stored = this.#pipelines.get(name);
    if (!stored) throw new BackendError(`pipeline ${name} does not exist on the local provider`);
    if (definition.pipelineVersion !== '' && !stored.versions.has(definition.pipelineVersion)) {
      throw new BackendError(`pipeline ${name} has no version "${definition.pipelineVersion}" on the local provider`);
    }
  }

  #startRun(definition: RunDefinition): string {
    const id = this.#options.ids.next();
    const startedAt = this.#options.clock.now();
    const timer = setTimeout(() => this.#finishRun(id, startedAt), this.#options.runDurationMs);
    this.#runs.set(id, { definition, timer });
    this.#options.logger.debug('local run started', { runId: id, pipeline: formatNamespacedName(definition.pipelineName) });
    return id;
  }

  #finishRun(id: string, startedAt: Date): void {
    const run = this.#runs.get(id);
    if (!run) return;
    this.#runs.delete(id);
    const { definition } = run;
    this.#options.onRunFinished({
      status: localRunStatus(definition.parameters),
      pipelineName: definition.pipelineName,
      // Empty names are left out of the webhook body, so a scheduled firing names no run.
      runConfigurationName: definition.runConfigurationName,
      runName: definition.name,
      runId: id,
      runStartTime: startedAt,
      runEndTime: this.#options.clock.now(),
      pipelineComponents: localPipelineComponents(definition.artifacts, {
        root: this.#options.artifactRoot,
        pipeline: formatNamespacedName(definition.pipelineName),
        runId: id,
      }),
      provider: this.#options.providerName,
    });
  }

  // Everything that can refuse the definition runs before the schedule it replaces is stopped,
  // so a rejected update leaves the running schedule as it was. The cron (checked by the timer's
  // constructor) comes first: a bad cron value is the caller's 400 even when the pipeline is missing.
  #startSchedule(id: string, definition: RunScheduleDefinition): void {
    const timer = new CronTimer(definition.schedule, this.#options.clock, () => {
      // A firing is a run of its own: no Run resource, triggered by the schedule.
      this.#startRun({
        ...definition,
        name: { namespace: '', name: '' },
        triggerIndicator: scheduleTrigger(definition.name),
      });
    });
    this.#requirePipeline(definition);
    for (const artifact of definition.artifacts) parseArtifactPath(artifact.path);
    this.#schedules.get(id)?.timer.stop();
    this.#schedules.set(id, { definition, timer });
    timer.start();
  }
}
