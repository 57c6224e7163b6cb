import { expect } from 'chai';
import {
  decodeExperimentDefinition,
  decodePipelineResource,
  decodeRunDefinition,
  decodeRunScheduleDefinition,
} from '../../src/domain/definition-decoding.js';
import { InvalidInputError } from '../../src/domain/errors.js';
import { DefinitionBodyMother } from '../support/definition-mother.js';

const empty = { namespace: '', name: '' };

describe('definition decoding', () => {
  describe('pipeline', () => {
    it('decodes every field and keeps the compiled pipeline as sent', () => {
      const decoded = decodePipelineResource(DefinitionBodyMother.pipeline({ unknownField: { x: 1 } }));
      expect(decoded).to.deep.equal({
        definition: {
          name: { namespace: 'team', name: 'pipe' },
          version: '0.0.1',
          image: 'registry/pipe:1',
          env: [{ name: 'A', value: '1' }],
          framework: { name: 'tfx', parameters: { beamArgs: ['--x'] } },
        },
        compiledPipeline: { pipelineInfo: { name: 'pipe' } },
      });
    });

    it('treats missing and null optional fields as empty, and ignores unknown fields', () => {
      const decoded = decodePipelineResource({
        pipelineDefinition: { name: 'pipe', version: null, image: null, env: null, framework: null, extra: 'x' },
      });
      expect(decoded).to.deep.equal({
        definition: { name: { namespace: '', name: 'pipe' }, version: '', image: '', env: [], framework: { name: '', parameters: {} } },
        compiledPipeline: null,
      });
    });

    it('prefers the framework "name" over "type"', () => {
      const body = DefinitionBodyMother.pipeline({
        pipelineDefinition: { name: 'p', framework: { name: 'tfx', type: 'kfpsdk' } },
      });
      expect(decodePipelineResource(body).definition.framework.name).to.equal('tfx');
    });

    it('falls back to the framework "type" of the published OpenAPI document', () => {
      const body = DefinitionBodyMother.pipeline({ pipelineDefinition: { name: 'p', framework: { type: 'kfpsdk' } } });
      expect(decodePipelineResource(body).definition.framework.name).to.equal('kfpsdk');
    });

    const invalid: Array<{ why: string; body: unknown; message: string }> = [
      { why: 'a body that is not an object', body: [], message: 'body must be a JSON object' },
      { why: 'no pipelineDefinition', body: { compiledPipeline: {} }, message: 'pipelineDefinition must be a JSON object' },
      { why: 'a missing name', body: { pipelineDefinition: { version: '1' } }, message: 'pipelineDefinition.name must not be empty' },
      { why: 'an empty name', body: { pipelineDefinition: { name: '' } }, message: 'pipelineDefinition.name must not be empty' },
      { why: 'a name with two slashes', body: { pipelineDefinition: { name: 'a/b/c' } }, message: 'pipelineDefinition.name "a/b/c"' },
      { why: 'a name with an empty namespace', body: { pipelineDefinition: { name: '/x' } }, message: 'pipelineDefinition.name "/x"' },
      { why: 'a name with an empty name', body: { pipelineDefinition: { name: 'acc/' } }, message: 'pipelineDefinition.name "acc/"' },
      {
        why: 'a non-string version',
        body: { pipelineDefinition: { name: 'p', version: 1 } },
        message: 'pipelineDefinition.version must be a string',
      },
      {
        why: 'env that is not an array',
        body: { pipelineDefinition: { name: 'p', env: {} } },
        message: 'pipelineDefinition.env must be an array',
      },
      {
        why: 'an env entry that is not an object',
        body: { pipelineDefinition: { name: 'p', env: ['A=1'] } },
        message: 'pipelineDefinition.env[0]',
      },
    ];
    for (const { why, body, message } of invalid) {
      it(`rejects ${why}`, () => {
        expect(() => decodePipelineResource(body)).to.throw(InvalidInputError, message);
      });
    }
  });

  describe('run', () => {
    it('decodes every field', () => {
      const decoded = decodeRunDefinition(
        DefinitionBodyMother.run({ triggerIndicator: { type: 'manual', source: 'me', sourceNamespace: 'team' }, addedLater: true }),
      );
      expect(decoded).to.deep.equal({
        name: { namespace: 'team', name: 'train' },
        version: 'abc123',
        pipelineName: { namespace: 'team', name: 'pipe' },
        pipelineVersion: '0.0.1',
        runConfigurationName: { namespace: 'team', name: 'rc' },
        experimentName: { namespace: 'team', name: 'exp' },
        parameters: { learningRate: '0.1' },
        artifacts: [{ name: 'model', path: 'Trainer:model' }],
        triggerIndicator: { type: 'manual', source: 'me', sourceNamespace: 'team' },
      });
    });

    it('gives missing and null optional fields their empty values and no trigger indicator', () => {
      const decoded = decodeRunDefinition({
        name: 'train',
        pipelineName: 'pipe',
        runConfigurationName: null,
        parameters: null,
        artifacts: null,
        triggerIndicator: null,
      });
      expect(decoded).to.deep.equal({
        name: { namespace: '', name: 'train' },
        version: '',
        pipelineName: { namespace: '', name: 'pipe' },
        pipelineVersion: '',
        runConfigurationName: empty,
        experimentName: empty,
        parameters: {},
        artifacts: [],
      });
      expect(decoded).not.to.have.property('triggerIndicator');
    });

    const nameFields = ['name', 'pipelineName', 'runConfigurationName', 'experimentName'];
    for (const field of nameFields) {
      for (const bad of ['a/b/c', '/x', 'acc/']) {
        it(`rejects ${field} "${bad}" naming run.${field}`, () => {
          expect(() => decodeRunDefinition(DefinitionBodyMother.run({ [field]: bad }))).to.throw(
            InvalidInputError,
            `run.${field} "${bad}"`,
          );
        });
      }
    }

    it('requires pipelineName', () => {
      expect(() => decodeRunDefinition(DefinitionBodyMother.run({ pipelineName: '' }))).to.throw(
        InvalidInputError,
        'run.pipelineName must not be empty',
      );
      expect(() => decodeRunDefinition(DefinitionBodyMother.run({ pipelineName: undefined }))).to.throw(
        InvalidInputError,
        'run.pipelineName must not be empty',
      );
    });

    const nameless = [
      { why: 'an empty name', overrides: { name: '' } },
      { why: 'no name field', overrides: { name: undefined } },
      { why: 'a null name', overrides: { name: null } },
    ];
    for (const { why, overrides } of nameless) {
      it(`accepts ${why} when a run configuration is given (a run started for it)`, () => {
        const run = decodeRunDefinition(DefinitionBodyMother.run(overrides));
        expect(run.name).to.deep.equal({ namespace: '', name: '' });
        expect(run.runConfigurationName).to.deep.equal({ namespace: 'team', name: 'rc' });
      });
      it(`rejects ${why} without a run configuration`, () => {
        expect(() => decodeRunDefinition(DefinitionBodyMother.run({ ...overrides, runConfigurationName: '' }))).to.throw(
          InvalidInputError,
          'run.name or run.runConfigurationName must not be empty',
        );
      });
    }

    it('rejects a name that is not a Kubernetes name in every namespaced field, before any provider call', () => {
      for (const field of nameFields) {
        expect(() => decodeRunDefinition(DefinitionBodyMother.run({ [field]: 'team/Not_A_Name' }))).to.throw(
          InvalidInputError,
          `run.${field}`,
        );
      }
      expect(() => decodePipelineResource(DefinitionBodyMother.pipeline({ pipelineDefinition: { name: 'team/UPPER' } }))).to.throw(
        InvalidInputError,
        'pipelineDefinition.name',
      );
      expect(() => decodeExperimentDefinition(DefinitionBodyMother.experiment({ name: 'team/ünicode' }))).to.throw(
        InvalidInputError,
        'experiment.name',
      );
    });

    it('keeps the freedom of strings that are not Kubernetes names (versions, artifacts, parameters)', () => {
      const run = decodeRunDefinition(
        DefinitionBodyMother.run({
          version: 'V_1 ü',
          pipelineVersion: 'Release 2/β',
          parameters: { 'Learning Rate': 'ü/…' },
          artifacts: [{ name: 'Model_Ü', path: 'Trainer:Model/β' }],
        }),
      );
      expect(run.version).to.equal('V_1 ü');
      expect(run.parameters).to.deep.equal({ 'Learning Rate': 'ü/…' });
    });

    it('rejects a parameter value that is not a string', () => {
      expect(() => decodeRunDefinition(DefinitionBodyMother.run({ parameters: { epochs: 3 } }))).to.throw(
        InvalidInputError,
        'run.parameters.epochs',
      );
    });

    it('rejects a trigger indicator that is not an object', () => {
      expect(() => decodeRunDefinition(DefinitionBodyMother.run({ triggerIndicator: 'manual' }))).to.throw(
        InvalidInputError,
        'run.triggerIndicator',
      );
    });
  });

  describe('runschedule', () => {
    it('decodes the schedule with both cron forms and RFC 3339 bounds', () => {
      const decoded = decodeRunScheduleDefinition(
        DefinitionBodyMother.runSchedule({
          schedule: { cronExpression: '0 3 * * *', startTime: '2030-01-01T00:00:00Z', endTime: '2030-02-01T01:00:00.5+01:00' },
        }),
      );
      expect(decoded.name).to.deep.equal({ namespace: 'team', name: 'nightly' });
      expect(decoded.triggerIndicator).to.deep.equal({ type: 'schedule', source: 'nightly', sourceNamespace: 'team' });
      expect(decoded.schedule.cron).to.deep.equal({ standard: '0 3 * * *', withSeconds: '0 0 3 * * *' });
      expect(decoded.schedule.startTime?.toISOString()).to.equal('2030-01-01T00:00:00.000Z');
      expect(decoded.schedule.endTime?.toISOString()).to.equal('2030-02-01T00:00:00.500Z');
    });

    it('leaves out empty and null times', () => {
      const decoded = decodeRunScheduleDefinition(
        DefinitionBodyMother.runSchedule({ schedule: { cronExpression: '* * * * * *', startTime: '', endTime: null } }),
      );
      expect(decoded.schedule).to.deep.equal({ cron: { standard: '* * * * *', withSeconds: '* * * * * *' } });
    });

    it('accepts RFC 3339 variants: space separator, lower-case t and z, negative offsets', () => {
      const cases = {
        '2030-01-01 00:00:00Z': '2030-01-01T00:00:00.000Z',
        '2030-01-01t00:00:00z': '2030-01-01T00:00:00.000Z',
        '2030-01-01T00:00:00-02:00': '2030-01-01T02:00:00.000Z',
      };
      for (const [text, iso] of Object.entries(cases)) {
        const decoded = decodeRunScheduleDefinition(
          DefinitionBodyMother.runSchedule({ schedule: { cronExpression: '0 3 * * *', startTime: text } }),
        );
        expect(decoded.schedule.startTime?.toISOString(), text).to.equal(iso);
      }
    });

    const badTimes = ['2030-01-01', 'tomorrow', '2030-01-01T00:00:00', '2030-13-01T00:00:00Z', '1700000000', '2030-01-01T00:00Z'];
    for (const text of badTimes) {
      for (const field of ['startTime', 'endTime']) {
        it(`rejects ${field} "${text}"`, () => {
          const body = DefinitionBodyMother.runSchedule({ schedule: { cronExpression: '0 3 * * *', [field]: text } });
          expect(() => decodeRunScheduleDefinition(body)).to.throw(InvalidInputError, `runschedule.schedule.${field} "${text}"`);
        });
      }
    }

    it('rejects an end before the start', () => {
      const body = DefinitionBodyMother.runSchedule({
        schedule: { cronExpression: '0 3 * * *', startTime: '2030-01-02T00:00:00Z', endTime: '2030-01-01T00:00:00Z' },
      });
      expect(() => decodeRunScheduleDefinition(body)).to.throw(InvalidInputError, 'endTime');
    });

    const invalid: Array<{ why: string; overrides: Record<string, unknown>; message: string }> = [
      { why: 'no trigger indicator', overrides: { triggerIndicator: undefined }, message: 'runschedule.triggerIndicator is required' },
      { why: 'a null trigger indicator', overrides: { triggerIndicator: null }, message: 'runschedule.triggerIndicator is required' },
      { why: 'no schedule', overrides: { schedule: undefined }, message: 'runschedule.schedule must be a JSON object' },
      { why: 'a schedule that is a string', overrides: { schedule: '0 3 * * *' }, message: 'runschedule.schedule must be a JSON object' },
      { why: 'no cron expression', overrides: { schedule: {} }, message: 'has 0 fields' },
      { why: 'a 4-field cron', overrides: { schedule: { cronExpression: '* * * *' } }, message: 'has 4 fields' },
      { why: 'a 7-field cron', overrides: { schedule: { cronExpression: '0 0 0 * * * *' } }, message: 'has 7 fields' },
      { why: 'an empty name', overrides: { name: '' }, message: 'runschedule.name must not be empty' },
      { why: 'a bad run configuration name', overrides: { runConfigurationName: 'a/b/c' }, message: 'runschedule.runConfigurationName' },
    ];
    for (const { why, overrides, message } of invalid) {
      it(`rejects ${why}`, () => {
        expect(() => decodeRunScheduleDefinition(DefinitionBodyMother.runSchedule(overrides))).to.throw(InvalidInputError, message);
      });
    }
  });

  describe('experiment', () => {
    it('decodes every field and ignores unknown ones', () => {
      expect(decodeExperimentDefinition(DefinitionBodyMother.experiment({ extra: 1 }))).to.deep.equal({
        name: { namespace: 'team', name: 'exp' },
        version: 'v1',
        description: 'an experiment',
      });
    });

    it('gives null fields empty values', () => {
      expect(decodeExperimentDefinition({ name: 'exp', version: null, description: null })).to.deep.equal({
        name: { namespace: '', name: 'exp' },
        version: '',
        description: '',
      });
    });

    for (const bad of ['', 'a/b/c', '/x', 'acc/']) {
      it(`rejects the name "${bad}"`, () => {
        expect(() => decodeExperimentDefinition({ name: bad })).to.throw(InvalidInputError, 'experiment.name');
      });
    }

    it('rejects a missing name and a body that is not an object', () => {
      expect(() => decodeExperimentDefinition({ description: 'x' })).to.throw(InvalidInputError, 'experiment.name must not be empty');
      expect(() => decodeExperimentDefinition('exp')).to.throw(InvalidInputError, 'body must be a JSON object');
      expect(() => decodeExperimentDefinition(null)).to.throw(InvalidInputError, 'body must be a JSON object');
    });
  });
});
