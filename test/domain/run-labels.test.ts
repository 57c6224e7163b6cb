import { expect } from 'chai';
import { allRunLabelKeys, runLabels, runScheduleLabels, scheduleTrigger } from '../../src/domain/run-labels.js';
import { RunDefinitionMother } from '../support/definition-mother.js';

const provider = { namespace: 'ops', name: 'vai-provider' };
const empty = { namespace: '', name: '' };

describe('run labels', () => {
  it('names pipeline, run and provider of a plain run, nothing else', () => {
    const labels = runLabels(RunDefinitionMother.valid(), provider);
    expect(labels).to.deep.equal({
      'pipeline-name': 'pipe',
      'pipeline-namespace': 'team',
      'pipeline-version': '0.0.1',
      'run-name': 'train',
      'run-namespace': 'team',
      'provider-name': 'vai-provider',
      'provider-namespace': 'ops',
    });
  });

  it('adds the run configuration only when one is given', () => {
    const labels = runLabels(RunDefinitionMother.valid({ runConfigurationName: { namespace: 'team', name: 'rc' } }), provider);
    expect(labels).to.include({ 'runconfiguration-name': 'rc', 'runconfiguration-namespace': 'team' });
    expect(runLabels(RunDefinitionMother.valid(), provider)).not.to.have.any.keys('runconfiguration-name', 'runconfiguration-namespace');
  });

  it('adds run labels only for a named run', () => {
    const labels = runLabels(RunDefinitionMother.valid({ name: empty, runConfigurationName: { namespace: 'team', name: 'rc' } }), provider);
    expect(labels).not.to.have.any.keys('run-name', 'run-namespace');
  });

  it('writes an empty namespace label for names without a namespace', () => {
    const labels = runLabels(
      RunDefinitionMother.valid({ name: { namespace: '', name: 'train' }, pipelineName: { namespace: '', name: 'pipe' } }),
      {
        namespace: '',
        name: 'local',
      },
    );
    expect(labels).to.include({ 'run-name': 'train', 'run-namespace': '', 'pipeline-namespace': '', 'provider-namespace': '' });
  });

  it('adds the trigger labels as given when a trigger indicator is given', () => {
    const labels = runLabels(
      RunDefinitionMother.valid({ triggerIndicator: { type: 'runconfiguration', source: 'rc', sourceNamespace: 'team' } }),
      provider,
    );
    expect(labels).to.include({ 'trigger-type': 'runconfiguration', 'trigger-source': 'rc', 'trigger-source-namespace': 'team' });
  });

  it('leaves out the trigger labels without a trigger indicator', () => {
    expect(runLabels(RunDefinitionMother.valid(), provider)).not.to.have.any.keys(
      'trigger-type',
      'trigger-source',
      'trigger-source-namespace',
    );
  });

  it('labels schedule runs with the schedule trigger but never a run name', () => {
    const labels = runScheduleLabels(RunDefinitionMother.schedule({ runConfigurationName: { namespace: 'team', name: 'rc' } }), provider);
    expect(labels).to.deep.equal({
      'pipeline-name': 'pipe',
      'pipeline-namespace': 'team',
      'pipeline-version': '0.0.1',
      'runconfiguration-name': 'rc',
      'runconfiguration-namespace': 'team',
      'trigger-type': 'schedule',
      'trigger-source': 'nightly',
      'trigger-source-namespace': 'team',
      'provider-name': 'vai-provider',
      'provider-namespace': 'ops',
    });
  });

  it('makes the trigger of a scheduled firing type "schedule" with the schedule as source', () => {
    expect(scheduleTrigger({ namespace: 'team', name: 'nightly' })).to.deep.equal({
      type: 'schedule',
      source: 'nightly',
      sourceNamespace: 'team',
    });
  });

  it('knows exactly the twelve label keys of the contract', () => {
    expect([...allRunLabelKeys].sort()).to.deep.equal(
      [
        'pipeline-name',
        'pipeline-namespace',
        'pipeline-version',
        'runconfiguration-name',
        'runconfiguration-namespace',
        'run-name',
        'run-namespace',
        'trigger-type',
        'trigger-source',
        'trigger-source-namespace',
        'provider-name',
        'provider-namespace',
      ].sort(),
    );
  });
});
