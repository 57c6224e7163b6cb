import type { RunDefinition } from '../definitions.js';
import { InvalidInputError } from '../errors.js';
import { resourceName } from '../namespaced-name.js';

/** Vertex AI's rule for caller-chosen pipeline job ids. */
const jobIdPattern = /^[a-z][a-z0-9-]*$/;

/** The longest pipeline job id Vertex AI accepts. */
export const maxVertexJobIdLength = 128;

/**
 * The id of the pipeline job a run creates: `{ns}-{name}-{version}`. Completion events carry it
 * as `runId`, while run creation answers {@link vertexRunId}; the operator relies on both.
 * An id Vertex AI would refuse is an {@link InvalidInputError} so that no call is wasted on it.
 */
export function vertexJobId(run: RunDefinition): string {
  const id = `${resourceName(run.name)}-${run.version}`;
  checkVertexJobId(id);
  return id;
}

/** The id run creation answers: `{ns}-{name}`, without the version. */
export function vertexRunId(run: RunDefinition): string {
  return resourceName(run.name);
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
