import { expect } from 'chai';
import { runLabels } from '../../../src/domain/run-labels.js';
import { readCompiledPipeline } from '../../../src/domain/vertex/compiled-pipeline.js';
import { buildVertexPipelineJob, toVertexParameterValue } from '../../../src/domain/vertex/vertex-pipeline-job.js';
import { aKfpSpec, aRun } from './vertex-definitions-mother.js';

describe('vertex pipeline job', () => {
  const provider = { namespace: 'ops', name: 'Vertex.Provider' };
  const settings = {
    pipelineBucket: 'bucket',
    pipelineRootStorage: 'gs://pipeline-root',
    serviceAccount: 'runner@p.iam.gserviceaccount.com',
    pscNetworkAttachment: '',
  };
  const run = aRun({
    name: { namespace: 'team', name: 'Train.Run' },
    runConfigurationName: { namespace: 'team', name: 'rc' },
    triggerIndicator: { type: 'RunConfiguration', source: 'rc', sourceNamespace: 'team' },
    parameters: { a: 'x', b: '2' },
  });

  it('builds a schema 2.0.0 job with legacy string parameters and sanitised labels', () => {
    const job = buildVertexPipelineJob(run, runLabels(run, provider), readCompiledPipeline(aKfpSpec('2.0.0'), 'p'), settings);
    expect(job).to.deep.equal({
      name: 'my-pipeline',
      displayName: 'my-pipeline',
      labels: {
        'pipeline-name': 'pipe',
        'pipeline-namespace': 'team',
        'pipeline-version': '0_0_1',
        'runconfiguration-name': 'rc',
        'runconfiguration-namespace': 'team',
        'trigger-type': 'runconfiguration',
        'trigger-source': 'rc',
        'trigger-source-namespace': 'team',
        'provider-name': 'vertexprovider',
        'provider-namespace': 'ops',
        'run-name': 'trainrun',
        'run-namespace': 'team',
        schema_version: '2_0_0',
        sdk_version: 'kfp-2_12_2',
      },
      pipelineSpec: aKfpSpec('2.0.0'),
      templateUri: 'gs://bucket/team/pipe/0.0.1',
      serviceAccount: 'runner@p.iam.gserviceaccount.com',
      runtimeConfig: { gcsOutputDirectory: 'gs://pipeline-root/team/pipe', parameters: { a: 'x', b: '2' }, parameterValues: {} },
    });
  });

  it('moves parameters to typed parameter values from schema 2.1.0 on', () => {
    const job = buildVertexPipelineJob(run, runLabels(run, provider), readCompiledPipeline(aKfpSpec('2.1.0'), 'p'), settings);
    expect(job.runtimeConfig.parameters).to.deep.equal({});
    expect(job.runtimeConfig.parameterValues).to.deep.equal({ a: 'x', b: '2' });
  });

  it('lets wrapper labels override run labels, and version labels override both', () => {
    const stored = { labels: { 'pipeline-name': 'Other', schema_version: 'ignored', extra: 3 }, pipelineSpec: aKfpSpec('2.0.0') };
    const job = buildVertexPipelineJob(run, runLabels(run, provider), readCompiledPipeline(stored, 'p'), settings);
    expect(job.labels).to.include({ 'pipeline-name': 'other', schema_version: '2_0_0', extra: '3' });
  });

  it('sets the PSC network attachment only when configured', () => {
    const withPsc = buildVertexPipelineJob(run, {}, readCompiledPipeline(aKfpSpec(), 'p'), { ...settings, pscNetworkAttachment: 'att' });
    expect(withPsc.pscNetworkAttachment).to.equal('att');
    const without = buildVertexPipelineJob(run, {}, readCompiledPipeline(aKfpSpec(), 'p'), settings);
    expect(without).not.to.have.property('pscNetworkAttachment');
  });

  it('places outputs below the pipeline name without a namespace when there is none', () => {
    const plain = aRun({ pipelineName: { namespace: '', name: 'pipe' } });
    const job = buildVertexPipelineJob(plain, {}, readCompiledPipeline(aKfpSpec(), 'p'), settings);
    expect(job.runtimeConfig.gcsOutputDirectory).to.equal('gs://pipeline-root/pipe');
    expect(job.templateUri).to.equal('gs://bucket/pipe/0.0.1');
  });

  const values: Array<[unknown, unknown]> = [
    ['s', 's'],
    [1.5, 1.5],
    [true, null],
    [undefined, null],
    [{ a: 1 }, null],
  ];
  for (const [value, expected] of values) {
    it(`promotes ${JSON.stringify(value)} to ${JSON.stringify(expected)}`, () => {
      expect(toVertexParameterValue(value)).to.equal(expected);
    });
  }
});
