import type { RunDefinition, RunScheduleDefinition } from '../../../src/domain/definitions.js';
import { RunDefinitionMother } from '../../support/definition-mother.js';

// The Vertex tests want a parameter on every run (to see it in the job) and a run configuration
// on every schedule (to see its labels); the rest is the shared valid definition.

/** A valid run definition with one parameter; override any field. */
export function aRun(overrides: Partial<RunDefinition> = {}): RunDefinition {
  return RunDefinitionMother.valid({ parameters: { learningRate: '0.1' }, ...overrides });
}

/** A valid run schedule definition with a run configuration; override any field. */
export function aRunSchedule(overrides: Partial<RunScheduleDefinition> = {}): RunScheduleDefinition {
  return RunDefinitionMother.schedule({
    parameters: { learningRate: '0.1' },
    runConfigurationName: { namespace: 'team', name: 'rc' },
    ...overrides,
  });
}

/** A bare KFP pipeline spec of the given schema version. */
export function aKfpSpec(schemaVersion = '2.1.0'): Record<string, unknown> {
  return {
    pipelineInfo: { name: 'my-pipeline' },
    schemaVersion,
    sdkVersion: 'kfp-2.12.2',
    root: { dag: { tasks: { trainer: { taskInfo: { name: 'trainer' } } } } },
  };
}
