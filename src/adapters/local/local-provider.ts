import type { ExperimentDefinition, PipelineResource, RunDefinition, RunScheduleDefinition } from '../../domain/definitions.js';
import { BackendError } from '../../domain/errors.js';
import { localPipelineComponents, localRunStatus, parseArtifactPath } from '../../domain/local-run-outcome.js';
import { quoteInput } from '../../domain/client-text.js';
import { errorMessage } from '../../domain/error-message.js';
import { formatNamespacedName, type NamespacedName } from '../../domain/namespaced-name.js';
import type { RunCompletionEvent } from '../../domain/run-completion-event.js';
import { scheduleTrigger } from '../../domain/run-labels.js';
import type { Clock } from '../../ports/clock.js';
import type { IdGenerator } from '../../ports/id-generator.js';
import type { Logger } from '../../ports/logger.js';
import type { Provider, ResourceOperations } from '../../ports/provider.js';
import { CronTimer } from './cron-timer.js';
import type { SqliteStateStore } from './sqlite-state-store.js';

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
  /**
   * Where pipelines, experiments, schedules and unfinished runs are kept (in memory, or a file
   * that outlives the process). The provider owns it: `close()` closes it.
   */
  readonly state: SqliteStateStore;
  /**
   * Receives each finished run; the local module publishes it into the event pipeline. It is
   * called inside the state store's transaction that forgets the run, so an event source on the
   * same store records the event in the same commit: a crash leaves either the run or its event.
   */
  readonly onRunFinished: (event: RunCompletionEvent) => void;
}

interface ActiveRun {
  readonly definition: RunDefinition;
  readonly startedAt: Date;
  readonly timer: NodeJS.Timeout;
}

// A firing is a run of its own: no Run resource, triggered by the schedule.
function firingOf(definition: RunScheduleDefinition): RunDefinition {
  return {
    name: { namespace: '', name: '' },
    version: definition.version,
    pipelineName: definition.pipelineName,
    pipelineVersion: definition.pipelineVersion,
    runConfigurationName: definition.runConfigurationName,
    experimentName: definition.experimentName,
    parameters: definition.parameters,
    artifacts: definition.artifacts,
    triggerIndicator: scheduleTrigger(definition.name),
  };
}

/**
 * The embedded provider: keeps pipelines, experiments and schedules in its state store,
 * completes each run after a fixed delay (failing it when its parameters say `outcome: failed`),
 * fires schedules on their cron, and reports every finished run as a real completion event. It
 * needs no cloud, which makes it the default and the backend for end-to-end tests.
 *
 * Built on a store that already holds state (a state file of an earlier process), it picks up
 * where that process stopped: unfinished runs finish when they are due (at once when their time
 * passed meanwhile), and schedules keep firing. Firings missed while no process ran are not
 * made up one by one: a schedule that missed any fires once, at start-up, then follows its cron.
 */
export class LocalProvider implements Provider {
  readonly pipeline: ResourceOperations<PipelineResource> = {
    create: async (resource) => this.#storePipeline(resource),
    // The path id and the definition name agree for the operator; the definition is what is stored.
    update: async (_id, resource) => this.#storePipeline(resource),
    delete: async (id) => this.#options.state.deletePipeline(id),
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
    delete: async (id) => this.#options.state.deleteExperiment(id),
  };

  readonly #options: LocalProviderOptions;
  readonly #runs = new Map<string, ActiveRun>();
  readonly #schedules = new Map<string, CronTimer>();

  constructor(options: LocalProviderOptions) {
    this.#options = options;
    this.#resume();
  }

  /** Stops every run and schedule timer and closes the state store; nothing fires afterwards. */
  async close(): Promise<void> {
    for (const run of this.#runs.values()) clearTimeout(run.timer);
    this.#runs.clear();
    for (const timer of this.#schedules.values()) timer.stop();
    this.#schedules.clear();
    this.#options.state.close();
  }

  #resume(): void {
    const { state, clock, logger } = this.#options;
    const runs = state.runs();
    for (const run of runs) this.#arm(run.id, run.definition, run.startedAt, run.dueAt);
    const schedules = state.schedules();
    for (const { id, definition, accountedUntil } of schedules) {
      const timer = this.#scheduleTimer(id, definition);
      const now = clock.now();
      const missed = timer.nextFiring(accountedUntil);
      if (missed && missed.getTime() <= now.getTime()) {
        logger.info('local schedule missed firings while stopped; firing once now', { scheduleId: id, missedFrom: missed.toISOString() });
        this.#fire(id, definition, now);
      }
      this.#schedules.set(id, timer);
      timer.start();
    }
    if (runs.length + schedules.length > 0)
      logger.info('local provider resumed its state', { runs: runs.length, schedules: schedules.length });
  }

  #storePipeline(resource: PipelineResource): string {
    const id = formatNamespacedName(resource.definition.name);
    this.#options.state.savePipeline(id, resource);
    return id;
  }

  #storeExperiment(definition: ExperimentDefinition): string {
    const id = formatNamespacedName(definition.name);
    this.#options.state.saveExperiment(id, definition);
    return id;
  }

  #createRun(definition: RunDefinition): string {
    this.#requirePipeline(definition);
    for (const artifact of definition.artifacts) parseArtifactPath(artifact.path);
    return this.#startRun(definition);
  }

  #deleteRun(id: string): void {
    clearTimeout(this.#runs.get(id)?.timer);
    this.#runs.delete(id);
    this.#options.state.deleteRun(id);
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
    if (!this.#options.state.hasSchedule(id)) throw new BackendError(`run schedule ${quoteInput(id)} does not exist on the local provider`);
    this.#startSchedule(id, definition);
    return id;
  }

  #deleteSchedule(id: string): void {
    this.#schedules.get(id)?.stop();
    this.#schedules.delete(id);
    this.#options.state.deleteSchedule(id);
  }

  // Real providers fail a run whose pipeline version was never uploaded; so does this one, so
  // that ordering mistakes show up locally rather than on the first cloud deployment.
  #requirePipeline(definition: RunDefinition): void {
    const name = formatNamespacedName(definition.pipelineName);
    const versions = this.#options.state.pipelineVersions(name);
    if (!versions) throw new BackendError(`pipeline ${name} does not exist on the local provider`);
    if (definition.pipelineVersion !== '' && !versions.has(definition.pipelineVersion)) {
      throw new BackendError(`pipeline ${name} has no version "${definition.pipelineVersion}" on the local provider`);
    }
  }

  #startRun(definition: RunDefinition): string {
    const id = this.#options.ids.next();
    const startedAt = this.#options.clock.now();
    const dueAt = new Date(startedAt.getTime() + this.#options.runDurationMs);
    this.#options.state.saveRun({ id, definition, startedAt, dueAt });
    this.#arm(id, definition, startedAt, dueAt);
    this.#options.logger.debug('local run started', { runId: id, pipeline: formatNamespacedName(definition.pipelineName) });
    return id;
  }

  #arm(id: string, definition: RunDefinition, startedAt: Date, dueAt: Date): void {
    const wait = Math.max(0, dueAt.getTime() - this.#options.clock.now().getTime());
    const timer = setTimeout(() => this.#guarded('finishing a local run', { runId: id }, () => this.#finishRun(id)), wait);
    this.#runs.set(id, { definition, startedAt, timer });
  }

  #finishRun(id: string): void {
    const run = this.#runs.get(id);
    if (!run) return;
    this.#runs.delete(id);
    const { definition, startedAt } = run;
    const event: RunCompletionEvent = {
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
    };
    const { state } = this.#options;
    state.transaction(() => {
      if (state.deleteRun(id)) this.#options.onRunFinished(event);
    });
  }

  // Everything that can refuse the definition runs before the schedule it replaces is stopped,
  // so a rejected update leaves the running schedule as it was. The cron (checked by the timer's
  // constructor) comes first: a bad cron value is the caller's 400 even when the pipeline is missing.
  #startSchedule(id: string, definition: RunScheduleDefinition): void {
    const timer = this.#scheduleTimer(id, definition);
    this.#requirePipeline(definition);
    for (const artifact of definition.artifacts) parseArtifactPath(artifact.path);
    this.#options.state.saveSchedule(id, definition, this.#options.clock.now());
    this.#schedules.get(id)?.stop();
    this.#schedules.set(id, timer);
    timer.start();
  }

  #scheduleTimer(id: string, definition: RunScheduleDefinition): CronTimer {
    return new CronTimer(definition.schedule, this.#options.clock, (at) =>
      this.#guarded('firing a local schedule', { scheduleId: id }, () => this.#fire(id, definition, at)),
    );
  }

  // The run and the firing are recorded together, so a restart neither repeats nor loses it.
  #fire(id: string, definition: RunScheduleDefinition, at: Date): void {
    const { state } = this.#options;
    state.transaction(() => {
      this.#startRun(firingOf(definition));
      state.accountSchedule(id, at);
    });
  }

  // Timer callbacks have no caller to throw to: a failure (a full disk) is logged, and what was
  // not written is picked up from the state after a restart. Once the store is closed, a timer
  // that was already due does nothing.
  #guarded(what: string, fields: Record<string, string>, work: () => void): void {
    if (this.#options.state.closed) return;
    try {
      work();
    } catch (error) {
      this.#options.logger.error(`${what} failed`, { ...fields, error: errorMessage(error) });
    }
  }
}
