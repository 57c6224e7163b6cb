import type { InMemoryRunEventSource } from '../adapters/memory/in-memory-run-event-source.js';
import type { ExperimentDefinition, PipelineResource, RunDefinition, RunScheduleDefinition } from '../domain/definitions.js';
import { NotFoundError } from '../domain/errors.js';
import type { PipelineComponent, RunCompletionStatus } from '../domain/run-completion-event.js';
import type { NamespacedName } from '../domain/namespaced-name.js';
import type { Clock } from '../ports/clock.js';
import type { Provider, ResourceDefinitions, ResourceOperations, ResourceType } from '../ports/provider.js';

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

// The stored definitions, one map per resource type, typed by the port's table.
type Stores = { readonly [T in ResourceType]: Map<string, ResourceDefinitions[T]> };

/**
 * A working provider that keeps every resource in memory, for tests of code that drives a
 * provider: it records each call, fails on demand ({@link InMemoryProvider.failNext}), holds
 * resources a test puts in place ({@link InMemoryProvider.seed}) and completes runs on demand
 * ({@link InMemoryProvider.completeRun}). Like a real provider it answers asynchronously, hands
 * out fresh ids and treats deleting a missing resource as success.
 */
export class InMemoryProvider implements Provider {
  // Assigned in the constructor, unlike the other providers' operation fields: which operations
  // exist depends on the options, and field initialisers run before the constructor sees them.
  readonly pipeline: ResourceOperations<PipelineResource>;
  readonly run: ResourceOperations<RunDefinition>;
  readonly runschedule: ResourceOperations<RunScheduleDefinition>;
  readonly experiment: ResourceOperations<ExperimentDefinition>;
  readonly #stored: Stores = { pipeline: new Map(), run: new Map(), runschedule: new Map(), experiment: new Map() };
  readonly #runStarts = new Map<string, Date>();
  readonly #calls: RecordedProviderCall[] = [];
  readonly #failures: Array<{ type: ResourceType; operation: ProviderOperation; error: Error }> = [];
  readonly #options: InMemoryProviderOptions;
  #sequence = 0;

  constructor(options: InMemoryProviderOptions = {}) {
    this.#options = options;
    this.pipeline = this.#offered('pipeline');
    this.run = this.#offered('run');
    this.runschedule = this.#offered('runschedule');
    this.experiment = this.#offered('experiment');
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

  /**
   * Puts a resource in place under an id of the test's choosing, as if created earlier (e.g. a
   * Vertex schedule name), without recording a call; a seeded run is one {@link completeRun} knows.
   */
  seed<T extends ResourceType>(type: T, id: string, definition: ResourceDefinitions[T]): void {
    this.#stored[type].set(id, definition);
    if (type === 'run') this.#runStarts.set(id, this.#now());
  }

  /** The stored definitions of one resource type, by id. */
  stored<T extends ResourceType>(type: T): ReadonlyMap<string, ResourceDefinitions[T]> {
    return this.#stored[type];
  }

  /**
   * Finishes a created run: publishes its completion event (names from its definition) into
   * the `events` source given at construction, as a backend's event would arrive.
   */
  completeRun(id: string, script: RunCompletionScript = {}): void {
    const events = this.#options.events;
    if (!events) throw new Error('completeRun needs the events option: the source completions are published to');
    const definition = this.#stored.run.get(id);
    const startedAt = this.#runStarts.get(id);
    if (!definition || !startedAt) throw new Error(`run ${id} was not created on this provider (or was deleted)`);
    events.publish({
      status: script.status ?? 'succeeded',
      pipelineName: definition.pipelineName,
      runConfigurationName: definition.runConfigurationName,
      runName: definition.name,
      runId: id,
      runStartTime: startedAt,
      runEndTime: this.#now(),
      pipelineComponents: script.pipelineComponents ?? [],
      provider: this.#options.providerName ?? { namespace: 'test', name: 'in-memory' },
    });
  }

  #now(): Date {
    return this.#options.clock?.now() ?? new Date();
  }

  #offered<T extends ResourceType>(type: T): ResourceOperations<ResourceDefinitions[T]> {
    const all: Required<ResourceOperations<ResourceDefinitions[T]>> = {
      create: async (definition) => this.#create(type, definition),
      update: async (id, definition) => this.#update(type, id, definition),
      delete: async (id) => this.#delete(type, id),
    };
    const offered = this.#options.operations?.[type] ?? defaultProviderOperations[type];
    return Object.fromEntries(offered.map((operation) => [operation, all[operation]]));
  }

  #create<T extends ResourceType>(type: T, definition: ResourceDefinitions[T]): string {
    this.#enter({ type, operation: 'create', definition });
    const id = `${type}-${++this.#sequence}`;
    this.seed(type, id, definition);
    return id;
  }

  #update<T extends ResourceType>(type: T, id: string, definition: ResourceDefinitions[T]): string {
    this.#enter({ type, operation: 'update', id, definition });
    const store = this.#stored[type];
    if (!store.has(id)) throw new NotFoundError(`${type} ${id} does not exist`);
    store.set(id, definition);
    return id;
  }

  #delete(type: ResourceType, id: string): void {
    this.#enter({ type, operation: 'delete', id });
    this.#stored[type].delete(id);
    if (type === 'run') this.#runStarts.delete(id);
  }

  // Records the call, then throws a scripted failure if one is queued for it.
  #enter(call: RecordedProviderCall): void {
    this.#calls.push(call);
    const index = this.#failures.findIndex((failure) => failure.type === call.type && failure.operation === call.operation);
    if (index >= 0) throw this.#failures.splice(index, 1)[0]!.error;
  }
}
