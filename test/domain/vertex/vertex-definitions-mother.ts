import type { RunDefinition, RunScheduleDefinition } from '../../../src/domain/definitions.js';
import { parseCron } from '../../../src/domain/cron.js';

/** A valid run definition; override any field. */
export function aRun(overrides: Partial<RunDefinition> = {}): RunDefinition {
  return {
    name: { namespace: 'team', name: 'train' },
    version: 'abc123',
    pipelineName: { namespace: 'team', name: 'pipe' },
    pipelineVersion: '0.0.1',
    runConfigurationName: { namespace: '', name: '' },
    experimentName: { namespace: '', name: '' },
    parameters: { learningRate: '0.1' },
    artifacts: [],
    ...overrides,
  };
}

/** A valid run schedule definition; override any field. */
export function aRunSchedule(overrides: Partial<RunScheduleDefinition> = {}): RunScheduleDefinition {
  return {
    ...aRun({ name: { namespace: 'team', name: 'nightly' } }),
    runConfigurationName: { namespace: 'team', name: 'rc' },
    triggerIndicator: { type: 'schedule', source: 'nightly', sourceNamespace: 'team' },
    schedule: { cron: parseCron('0 3 * * *') },
    ...overrides,
  };
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
