import type { ExperimentDefinition, PipelineResource, RunDefinition, RunScheduleDefinition } from '../domain/definitions.js';

/**
 * The one table of the resource types of the HTTP API and the definition each one's operations
 * receive. {@link ResourceType}, {@link Provider}, the HTTP decoders and the in-memory provider's
 * stores are all derived from it, so a resource type is added here and nowhere else by hand.
 */
export interface ResourceDefinitions {
  /** Pipelines: compiled pipeline definitions, ids `ns/name`. */
  readonly pipeline: PipelineResource;
  /** One-off runs. */
  readonly run: RunDefinition;
  /** Runs fired on a cron schedule. */
  readonly runschedule: RunScheduleDefinition;
  /** Experiments grouping runs. */
  readonly experiment: ExperimentDefinition;
}

/** A resource type as it appears in `/resource/{type}`: a key of {@link ResourceDefinitions}. */
export type ResourceType = keyof ResourceDefinitions;

/**
 * The operations on one resource type. Each is optional: an operation a provider leaves out
 * answers 501 (for example `update` of a run, or every experiment operation on Vertex AI).
 * Operations throw errors of the domain taxonomy (`InvalidInputError`, `BackendError`, …).
 * They are function-valued properties, not methods: callers may hold one apart from its object.
 */
export interface ResourceOperations<Definition> {
  /** Creates the resource and resolves to its provider id. */
  readonly create?: (definition: Definition) => Promise<string>;
  /** Updates the resource; resolves to its id, which may differ from the one given. */
  readonly update?: (id: string, definition: Definition) => Promise<string>;
  /** Deletes the resource; deleting something already gone succeeds. */
  readonly delete?: (id: string) => Promise<void>;
}

/**
 * The backend-specific half of the service, what the operator's workflow steps drive: the
 * operations of each resource type.
 *
 * Every provider of this repository has one shape: a class implementing `Provider` whose four
 * resource-type properties are own readonly fields, each an object of {@link ResourceOperations}
 * whose members are one-line arrow functions handing over to private methods. A class because
 * providers hold state and collaborators (private `#` fields), some have a lifecycle (`close`) or
 * test controls (`failNext`), and library users extend the example by `new`; the operation
 * objects because what a provider offers is then read off four short literals, an operation left
 * out is simply absent (501), and as own fields of arrow functions they stay usable detached or
 * spread into another object (`{ ...provider, experiment: {} }`).
 */
export type Provider = { readonly [T in ResourceType]: ResourceOperations<ResourceDefinitions[T]> };

/** Injection token of {@link Provider}. */
export const Provider = Symbol.for('kfp-provider-service.Provider');

// Keyed by resource type so that the compiler refuses a type of the table missing here; the key
// order is the order the API documents.
const listedResourceTypes: Readonly<Record<ResourceType, true>> = { pipeline: true, run: true, runschedule: true, experiment: true };

/** The resource types of the HTTP API, as they appear in `/resource/{type}`, in documented order. */
export const resourceTypes: readonly ResourceType[] = Object.freeze(Object.keys(listedResourceTypes) as ResourceType[]);

/** Whether a path segment (or any value) names one of the {@link resourceTypes}. */
export function isResourceType(value: unknown): value is ResourceType {
  return typeof value === 'string' && Object.hasOwn(listedResourceTypes, value);
}
