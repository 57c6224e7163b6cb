import type { RunDefinition } from '../definitions.js';
import { InvalidInputError } from '../errors.js';
import { isEmptyNamespacedName, resourceName } from '../namespaced-name.js';

/** Vertex AI's rule for caller-chosen pipeline job ids. */
const jobIdPattern = /^[a-z][a-z0-9-]*$/;

/** The longest pipeline job id Vertex AI accepts. */
export const maxVertexJobIdLength = 128;

/**
 * The id of the pipeline job a run creates: `{ns}-{name}-{version}`. Completion events carry it
 * as `runId`, while run creation answers {@link vertexRunId}; the operator relies on both.
 * An id Vertex AI would refuse is an {@link InvalidInputError} so that no call is wasted on it.
 * A run without a name of its own (started for a run configuration) has none to derive an id
 * from: `undefined` lets Vertex AI generate a unique one, which both answers then carry.
 */
export function vertexJobId(run: RunDefinition): string | undefined {
  if (isEmptyNamespacedName(run.name)) return undefined;
  const id = `${resourceName(run.name)}-${run.version}`;
  checkVertexJobId(id);
  return id;
}

/** The id run creation answers: `{ns}-{name}`, without the version; `undefined` for a run without a name. */
export function vertexRunId(run: RunDefinition): string | undefined {
  return isEmptyNamespacedName(run.name) ? undefined : resourceName(run.name);
}

/** Throws an {@link InvalidInputError} explaining why `id` breaks Vertex AI's job id rules. */
export function checkVertexJobId(id: string): void {
  if (id.length > maxVertexJobIdLength) {
    throw new InvalidInputError(
      `pipeline job id "${id}" is ${id.length} characters long; Vertex AI allows at most ${maxVertexJobIdLength}`,
    );
  }
  if (!jobIdPattern.test(id)) {
    throw new InvalidInputError(
      `pipeline job id "${id}" is not valid for Vertex AI: it must start with a lower-case letter and contain only lower-case letters, digits and hyphens`,
    );
  }
}
