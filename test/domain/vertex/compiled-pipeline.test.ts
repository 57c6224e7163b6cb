import { expect } from 'chai';
import { BackendError } from '../../../src/domain/errors.js';
import { readCompiledPipeline } from '../../../src/domain/vertex/compiled-pipeline.js';
import { aKfpSpec } from './vertex-definitions-mother.js';

describe('compiled pipeline enrichment', () => {
  const cases: Array<{
    name: string;
    stored: unknown;
    expected: { name: string; labels: Record<string, string>; schemaVersion: string; sdkVersion: string; usesParameterValues: boolean };
    specName: string;
  }> = [
    {
      name: 'bare KFP spec 2.0.0 keeps legacy parameters',
      stored: aKfpSpec('2.0.0'),
      expected: { name: 'my-pipeline', labels: {}, schemaVersion: '2.0.0', sdkVersion: 'kfp-2.12.2', usesParameterValues: false },
      specName: 'my-pipeline',
    },
    {
      name: 'bare KFP spec 2.1.0 uses parameter values',
      stored: aKfpSpec('2.1.0'),
      expected: { name: 'my-pipeline', labels: {}, schemaVersion: '2.1.0', sdkVersion: 'kfp-2.12.2', usesParameterValues: true },
      specName: 'my-pipeline',
    },
    {
      name: 'a pre-release of 2.1.0 ranks below it',
      stored: aKfpSpec('2.1.0-rc.1'),
      expected: { name: 'my-pipeline', labels: {}, schemaVersion: '2.1.0-rc.1', sdkVersion: 'kfp-2.12.2', usesParameterValues: false },
      specName: 'my-pipeline',
    },
    {
      name: 'a lenient v-prefixed short version above 2.1.0',
      stored: aKfpSpec('v3'),
      expected: { name: 'my-pipeline', labels: {}, schemaVersion: 'v3', sdkVersion: 'kfp-2.12.2', usesParameterValues: true },
      specName: 'my-pipeline',
    },
    {
      name: 'TFX wrapper: inner spec, wrapper display name and labels formatted Go-style',
      stored: {
        displayName: 'tfx-wrapper-name',
        labels: { team: 'ML', count: 1000000, ratio: 1.5, enabled: true, nothing: null },
        pipelineSpec: aKfpSpec('2.0.0'),
        runtimeConfig: { gcsOutputDirectory: 'ignored' },
      },
      expected: {
        name: 'tfx-wrapper-name',
        labels: { team: 'ML', count: '1e+06', ratio: '1.5', enabled: 'true', nothing: '<nil>' },
        schemaVersion: '2.0.0',
        sdkVersion: 'kfp-2.12.2',
        usesParameterValues: false,
      },
      specName: 'my-pipeline',
    },
    {
      name: 'TFX wrapper without a display name falls back to pipelineInfo.name',
      stored: { displayName: 42, labels: 'not-an-object', pipelineSpec: aKfpSpec('2.1.0') },
      expected: { name: 'my-pipeline', labels: {}, schemaVersion: '2.1.0', sdkVersion: 'kfp-2.12.2', usesParameterValues: true },
      specName: 'my-pipeline',
    },
    {
      name: 'TFX wrapper with a display name needs no pipelineInfo',
      stored: { displayName: 'wrapped', pipelineSpec: { schemaVersion: '2.0.0', sdkVersion: 'tfx-1.14.0' } },
      expected: { name: 'wrapped', labels: {}, schemaVersion: '2.0.0', sdkVersion: 'tfx-1.14.0', usesParameterValues: false },
      specName: '',
    },
  ];
  for (const { name, stored, expected, specName } of cases) {
    it(name, () => {
      const compiled = readCompiledPipeline(stored, 'ns/pipe@v1');
      const { spec, ...rest } = compiled;
      expect(rest).to.deep.equal(expected);
      const wrapper = stored as { pipelineSpec?: unknown };
      expect(spec).to.equal(typeof wrapper.pipelineSpec === 'object' ? wrapper.pipelineSpec : stored);
      expect((spec['pipelineInfo'] as { name?: string } | undefined)?.name ?? '').to.equal(specName);
    });
  }

  const failures: Array<{ name: string; stored: unknown; message: RegExp }> = [
    { name: 'not an object', stored: [1, 2], message: /not a JSON object/ },
    { name: 'null (an absent compiled pipeline)', stored: null, message: /not a JSON object/ },
    { name: 'missing pipelineInfo', stored: { schemaVersion: '2.1.0', sdkVersion: 'kfp' }, message: /pipelineInfo is missing/ },
    { name: 'pipelineInfo.name not a string', stored: { ...aKfpSpec(), pipelineInfo: { name: 3 } }, message: /pipelineInfo\.name/ },
    { name: 'missing schemaVersion', stored: { ...aKfpSpec(), schemaVersion: undefined }, message: /schemaVersion is missing/ },
    { name: 'invalid schemaVersion', stored: aKfpSpec('two.one'), message: /"two\.one" is not a semantic version/ },
    { name: 'missing sdkVersion', stored: { ...aKfpSpec(), sdkVersion: 2 }, message: /sdkVersion/ },
  ];
  for (const { name, stored, message } of failures) {
    it(`fails as a backend error (500) naming the pipeline: ${name}`, () => {
      expect(() => readCompiledPipeline(stored, 'ns/pipe@v1'))
        .to.throw(BackendError, message)
        .with.property('message')
        .that.contains('ns/pipe@v1');
    });
  }
});
