import type { OutputArtifact } from './definitions.js';
import { InvalidInputError } from './errors.js';
import type { ComponentArtifact, PipelineComponent, RunCompletionStatus } from './run-completion-event.js';

/** The run parameter that makes a local run fail, and the value that does it. */
export const localOutcomeParameter = Object.freeze({ name: 'outcome', failedValue: 'failed' });

/** A local run succeeds unless its parameters ask it to fail (`outcome: failed`). */
export function localRunStatus(parameters: Readonly<Record<string, string>>): RunCompletionStatus {
  return parameters[localOutcomeParameter.name] === localOutcomeParameter.failedValue ? 'failed' : 'succeeded';
}

/** The component and output names an artifact path (`component:artifact[:index][filter]`) selects. */
export function parseArtifactPath(path: string): { component: string; artifact: string } {
  const withoutFilter = path.split('[', 1)[0] ?? '';
  const [component = '', artifact = ''] = withoutFilter.split(':');
  if (component === '' || artifact === '') {
    throw new InvalidInputError(`artifact path "${path}" must look like component:artifact[:index][filter]`);
  }
  return { component, artifact };
}

/**
 * The components a finished local run reports: one per component named by the requested
 * artifacts, each output with one artifact at `{root}/{pipeline}/{runId}/{component}/{artifact}`
 * (`pipeline` rendered as `ns/name`) and empty metadata.
 */
export function localPipelineComponents(
  artifacts: readonly OutputArtifact[],
  location: { root: string; pipeline: string; runId: string },
): PipelineComponent[] {
  const outputsByComponent = new Map<string, Map<string, ComponentArtifact>>();
  for (const requested of artifacts) {
    const { component, artifact } = parseArtifactPath(requested.path);
    const outputs = outputsByComponent.get(component) ?? new Map<string, ComponentArtifact>();
    outputsByComponent.set(component, outputs);
    if (outputs.has(artifact)) continue;
    const uri = [location.root.replace(/\/+$/, ''), location.pipeline, location.runId, component, artifact].join('/');
    outputs.set(artifact, { name: artifact, artifacts: [{ uri, metadata: {} }] });
  }
  return [...outputsByComponent].map(([name, outputs]) => ({ name, componentArtifacts: [...outputs.values()] }));
}
