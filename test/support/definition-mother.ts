import { parseCron } from '../../src/domain/cron.js';
import type { RunDefinition, RunScheduleDefinition } from '../../src/domain/definitions.js';
import type { RunCompletionEvent } from '../../src/domain/run-completion-event.js';

// Builders of the operator's request bodies (JSON, as sent over the wire) and of the decoded
// domain values. Each returns a fresh valid object; tests override only what they are about.

type Json = Record<string, unknown>;

/** Request bodies as the operator's curl steps send them. */
export const DefinitionBodyMother = {
  pipeline(overrides: Json = {}): Json {
    return {
      pipelineDefinition: {
        name: 'team/pipe',
        version: '0.0.1',
        image: 'registry/pipe:1',
        env: [{ name: 'A', value: '1' }],
        framework: { name: 'tfx', parameters: { beamArgs: ['--x'] } },
      },
      compiledPipeline: { pipelineInfo: { name: 'pipe' } },
      ...overrides,
    };
  },
  run(overrides: Json = {}): Json {
    return {
      name: 'team/train',
      version: 'abc123',
      pipelineName: 'team/pipe',
      pipelineVersion: '0.0.1',
      runConfigurationName: 'team/rc',
      experimentName: 'team/exp',
      parameters: { learningRate: '0.1' },
      artifacts: [{ name: 'model', path: 'Trainer:model' }],
      ...overrides,
    };
  },
  runSchedule(overrides: Json = {}): Json {
    return {
      ...DefinitionBodyMother.run({ name: 'team/nightly' }),
      triggerIndicator: { type: 'schedule', source: 'nightly', sourceNamespace: 'team' },
      schedule: { cronExpression: '0 3 * * *' },
      ...overrides,
    };
  },
  experiment(overrides: Json = {}): Json {
    return { name: 'team/exp', version: 'v1', description: 'an experiment', ...overrides };
  },
};

/** Decoded domain definitions. */
export const RunDefinitionMother = {
  valid(overrides: Partial<RunDefinition> = {}): RunDefinition {
    return {
      name: { namespace: 'team', name: 'train' },
      version: 'abc123',
      pipelineName: { namespace: 'team', name: 'pipe' },
      pipelineVersion: '0.0.1',
      runConfigurationName: { namespace: '', name: '' },
      experimentName: { namespace: '', name: '' },
      parameters: {},
      artifacts: [],
      ...overrides,
    };
  },
  schedule(overrides: Partial<RunScheduleDefinition> = {}): RunScheduleDefinition {
    return {
      ...RunDefinitionMother.valid({ name: { namespace: 'team', name: 'nightly' } }),
      triggerIndicator: { type: 'schedule', source: 'nightly', sourceNamespace: 'team' },
      schedule: { cron: parseCron('0 3 * * *') },
      ...overrides,
    };
  },
};

/** Finished runs as a provider reports them. */
export const RunCompletionEventMother = {
  valid(overrides: Partial<RunCompletionEvent> = {}): RunCompletionEvent {
    return {
      status: 'succeeded',
      pipelineName: { namespace: 'team', name: 'pipe' },
      runConfigurationName: { namespace: 'team', name: 'rc' },
      runName: { namespace: 'team', name: 'train' },
      runId: 'run-1',
      runStartTime: new Date('2024-05-01T10:00:00.000Z'),
      runEndTime: new Date('2024-05-01T10:05:00.000Z'),
      pipelineComponents: [],
      provider: { namespace: 'ops', name: 'local' },
      ...overrides,
    };
  },
};
