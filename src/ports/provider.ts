import type { ExperimentDefinition, PipelineResource, RunDefinition, RunScheduleDefinition } from '../domain/definitions.js';

/**
 * The operations on one resource type. Each is optional: an operation a provider leaves out
 * answers 501 (for example `update` of a run, or every experiment operation on Vertex AI).
 * Operations throw errors of the domain taxonomy (`InvalidInputError`, `BackendError`, …).
 */
export interface ResourceOperations<Definition> {
  /** Creates the resource and resolves to its provider id. */
  create?(definition: Definition): Promise<string>;
  /** Updates the resource; resolves to its id, which may differ from the one given. */
  update?(id: string, definition: Definition): Promise<string>;
  /** Deletes the resource; deleting something already gone succeeds. */
  delete?(id: string): Promise<void>;
}

/** The backend-specific half of the service: what the operator's workflow steps drive. */
export interface Provider {
  /** Pipelines: compiled pipeline definitions, ids `ns/name`. */
  readonly pipeline: ResourceOperations<PipelineResource>;
  /** One-off runs. */
  readonly run: ResourceOperations<RunDefinition>;
  /** Runs fired on a cron schedule. */
  readonly runschedule: ResourceOperations<RunScheduleDefinition>;
  /** Experiments grouping runs. */
  readonly experiment: ResourceOperations<ExperimentDefinition>;
}

/** Injection token of {@link Provider}. */
export const Provider = Symbol.for('kfp-provider-service.Provider');

/** The resource types of the HTTP API, as they appear in `/resource/{type}`. */
export const resourceTypes = ['pipeline', 'run', 'runschedule', 'experiment'] as const;

/** One of {@link resourceTypes}. */
export type ResourceType = (typeof resourceTypes)[number];
