import type { InMemoryRunEventSource } from '../adapters/memory/in-memory-run-event-source.js';
import type { ExperimentDefinition, PipelineResource, RunDefinition, RunScheduleDefinition } from '../domain/definitions.js';
import { NotFoundError } from '../domain/errors.js';
import type { PipelineComponent, RunCompletionStatus } from '../domain/run-completion-event.js';
import type { NamespacedName } from '../domain/namespaced-name.js';
import type { Clock } from '../ports/clock.js';
import type { Provider, ResourceOperations, ResourceType } from '../ports/provider.js';
import { resourceTypes } from '../ports/provider.js';

/** One operation of the {@link Provider} port. */
export type ProviderOperation = 'create' | 'update' | 'delete';

/** The operations of the port, as a closed set. */
export const providerOperations = ['create', 'update', 'delete'] as const satisfies readonly ProviderOperation[];

/** Which operations a provider offers, per resource type. */
export type ProviderOperationSet = { readonly [T in ResourceType]: readonly ProviderOperation[] };

/** What the operator's provider contract asks for: everything except updating a run. */
export const defaultProviderOperations: ProviderOperationSet = Object.freeze({
  pipeline: providerOperations,
  run: ['create', 'delete'],
  runschedule: providerOperations,
  experiment: providerOperations,
});

/** The definition type of each resource type. */
export interface ResourceDefinitions {
  /** What pipeline operations receive. */
  readonly pipeline: PipelineResource;
  /** What run operations receive. */
  readonly run: RunDefinition;
  /** What run schedule operations receive. */
  readonly runschedule: RunScheduleDefinition;
  /** What experiment operations receive. */
  readonly experiment: ExperimentDefinition;
}

/** One call the provider received, in arrival order; failed calls are recorded too. */
export interface RecordedProviderCall {
  /** The resource type called. */
  readonly type: ResourceType;
  /** The operation called. */
  readonly operation: ProviderOperation;
  /** The id of an update or delete. */
  readonly id?: string;
  /** The definition of a create or update. */
  readonly definition?: unknown;
}

/** Options of {@link InMemoryProvider}. */
export interface InMemoryProviderOptions {
  /** The operations it offers (default {@link defaultProviderOperations}); the others answer 501. */
  readonly operations?: Partial<ProviderOperationSet>;
  /** Where {@link InMemoryProvider.completeRun} publishes run completions. */
  readonly events?: InMemoryRunEventSource;
  /** The provider name reported in completions (default `test/in-memory`). */
  readonly providerName?: NamespacedName;
  /** Supplies run start and end times (default the system clock). */
  readonly clock?: Clock;
}

/** How {@link InMemoryProvider.completeRun} finishes a run. */
export interface RunCompletionScript {
  /** How the run ended (default `succeeded`). */
  readonly status?: RunCompletionStatus;
  /** The components and artifacts to report (default none). */
  readonly pipelineComponents?: readonly PipelineComponent[];
}

interface StoredRun {
  readonly definition: RunDefinition;
  readonly createdAt: Date;
}

/**
 * A working provider that keeps every resource in memory, for tests of code that drives a
 * provider: it records each call, fails on demand ({@link InMemoryProvider.failNext}) and
 * completes runs on demand ({@link InMemoryProvider.completeRun}). Like a real provider it answers
 * asynchronously, hands out fresh ids and treats deleting a missing resource as success.
 */
export class InMemoryProvider implements Provider {
  readonly pipeline: ResourceOperations<PipelineResource>;
  readonly run: ResourceOperations<RunDefinition>;
  readonly runschedule: ResourceOperations<RunScheduleDefinition>;
  readonly experiment: ResourceOperations<ExperimentDefinition>;
  readonly #stored = new Map<ResourceType, Map<string, unknown>>(resourceTypes.map((type) => [type, new Map()]));
  readonly #runs = new Map<string, StoredRun>();
  readonly #calls: RecordedProviderCall[] = [];
  readonly #failures: Array<{ type: ResourceType; operation: ProviderOperation; error: Error }> = [];
  readonly #options: InMemoryProviderOptions;
  #sequence = 0;

  constructor(options: InMemoryProviderOptions = {}) {
    this.#options = options;
    this.pipeline = this.#operations('pipeline');
    this.run = this.#operations('run');
    this.runschedule = this.#operations('runschedule');
    this.experiment = this.#operations('experiment');
  }

  /** Every call so far, in order. */
  get calls(): readonly RecordedProviderCall[] {
    return this.#calls;
  }

  /** The calls of one resource type and operation. */
  callsOf(type: ResourceType, operation: ProviderOperation): readonly RecordedProviderCall[] {
    return this.#calls.filter((call) => call.type === type && call.operation === operation);
  }

  /** Makes the next `operation` on `type` reject with `error` (queued: call it twice for two failures). */
  failNext(type: ResourceType, operation: ProviderOperation, error: Error): void {
    this.#failures.push({ type, operation, error });
  }

  /** The stored definitions of one resource type, by id. */
  stored<T extends ResourceType>(type: T): ReadonlyMap<string, ResourceDefinitions[T]> {
    return this.#stored.get(type) as ReadonlyMap<string, ResourceDefinitions[T]>;
  }

  /**
   * Finishes a created run: publishes its completion event (names from its definition) into
   * the `events` source given at construction, as a backend's event would arrive.
   */
  completeRun(id: string, script: RunCompletionScript = {}): void {
    const events = this.#options.events;
    if (!events) throw new Error('completeRun needs the events option: the source completions are published to');
    const run = this.#runs.get(id);
    if (!run) throw new Error(`run ${id} was not created on this provider (or was deleted)`);
    const { definition } = run;
    events.publish({
      status: script.status ?? 'succeeded',
      pipelineName: definition.pipelineName,
      runConfigurationName: definition.runConfigurationName,
      runName: definition.name,
      runId: id,
      runStartTime: run.createdAt,
      runEndTime: this.#now(),
      pipelineComponents: script.pipelineComponents ?? [],
      provider: this.#options.providerName ?? { namespace: 'test', name: 'in-memory' },
    });
  }

  #now(): Date {
    return this.#options.clock?.now() ?? new Date();
  }

  #operations<T extends ResourceType>(type: T): ResourceOperations<ResourceDefinitions[T]> {
    const offered = this.#options.operations?.[type] ?? defaultProviderOperations[type];
    const store = this.#stored.get(type)!;
    const all: Required<ResourceOperations<ResourceDefinitions[T]>> = {
      create: async (definition) => {
        this.#enter({ type, operation: 'create', definition });
        const id = `${type}-${++this.#sequence}`;
        store.set(id, definition);
        if (type === 'run') this.#runs.set(id, { definition: definition as RunDefinition, createdAt: this.#now() });
        return id;
      },
      update: async (id, definition) => {
        this.#enter({ type, operation: 'update', id, definition });
        if (!store.has(id)) throw new NotFoundError(`${type} ${id} does not exist`);
        store.set(id, definition);
        return id;
      },
      delete: async (id) => {
        this.#enter({ type, operation: 'delete', id });
        store.delete(id);
        this.#runs.delete(id);
      },
    };
    return Object.fromEntries(offered.map((operation) => [operation, all[operation]]));
  }

  // Records the call, then throws a scripted failure if one is queued for it.
  #enter(call: RecordedProviderCall): void {
    this.#calls.push(call);
    const index = this.#failures.findIndex((failure) => failure.type === call.type && failure.operation === call.operation);
    if (index >= 0) throw this.#failures.splice(index, 1)[0]!.error;
  }
}
