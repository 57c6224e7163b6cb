import { expect } from 'chai';
import { kfpRunCompletion, readKfpRunFacts } from '../../../src/domain/kfp/kfp-run-completion.js';
import type { PipelineComponent, RunCompletionStatus } from '../../../src/domain/run-completion-event.js';

const now = new Date('2024-06-01T00:00:00Z');

describe('KFP run completions', () => {
  it('reads parameters (non-strings as ""), and treats an absent or epoch time as unknown', () => {
    const facts = readKfpRunFacts({
      runtime_config: { parameters: { 'pipeline-name': 'p', n: 3 } },
      created_at: '2024-05-01T10:00:00Z',
      finished_at: '1970-01-01T00:00:00Z',
    });
    expect(facts).to.deep.equal({ parameters: { 'pipeline-name': 'p', n: '' }, createdAt: new Date('2024-05-01T10:00:00Z') });
    expect(readKfpRunFacts({})).to.deep.equal({ parameters: {} });
  });

  it('takes names from the label parameters and the end time from KFP, or now', () => {
    const run = {
      parameters: { 'pipeline-name': 'p', 'pipeline-namespace': 'ns', 'runconfiguration-name': 'rc', 'runconfiguration-namespace': 'ns' },
      finishedAt: new Date('2024-05-01T11:00:00Z'),
    };
    const result = kfpRunCompletion({ status: 'succeeded', runId: 'r', run, components: [], provider: { namespace: 'o', name: 'k' }, now });
    expect(result.kind).to.equal('completed');
    if (result.kind !== 'completed') return;
    expect(result.event.pipelineName).to.deep.equal({ namespace: 'ns', name: 'p' });
    expect(result.event.runConfigurationName).to.deep.equal({ namespace: 'ns', name: 'rc' });
    expect(result.event.runEndTime).to.deep.equal(new Date('2024-05-01T11:00:00Z'));
    expect(result.event).to.not.have.property('runStartTime');
    const unfinished = kfpRunCompletion({
      status: 'failed',
      runId: 'r',
      run: { parameters: { 'run-name': 'x' } },
      components: [],
      provider: { namespace: '', name: 'k' },
      now,
    });
    expect(unfinished.kind === 'completed' && unfinished.event.runEndTime).to.deep.equal(now);
  });

  it('is invalid for a run the operator did not start', () => {
    const result = kfpRunCompletion({
      status: 'failed',
      runId: 'r',
      run: { parameters: {} },
      components: [],
      provider: { namespace: '', name: 'k' },
      now,
    });
    expect(result.kind).to.equal('invalid');
  });

  type Decision = { kind: 'pending'; reason: string } | { kind: 'completed'; pipelineComponents: readonly PipelineComponent[] };
  const run = { parameters: { 'pipeline-name': 'p', 'run-name': 'r', 'run-namespace': 'ns' } };
  const trainer: PipelineComponent[] = [{ name: 'Trainer', componentArtifacts: [] }];
  const decisions: Array<{ status: RunCompletionStatus; components: PipelineComponent[] | undefined; decision: Decision }> = [
    { status: 'succeeded', components: undefined, decision: { kind: 'pending', reason: 'ML Metadata has no context for KFP run r-1 yet' } },
    { status: 'failed', components: undefined, decision: { kind: 'completed', pipelineComponents: [] } },
    { status: 'succeeded', components: [], decision: { kind: 'completed', pipelineComponents: [] } },
    { status: 'succeeded', components: trainer, decision: { kind: 'completed', pipelineComponents: trainer } },
    { status: 'failed', components: trainer, decision: { kind: 'completed', pipelineComponents: trainer } },
  ];
  for (const { status, components, decision } of decisions) {
    const known = components === undefined ? 'no ML Metadata context' : components.length === 0 ? 'no components' : 'components';
    it(`answers ${decision.kind} for a ${status} run with ${known}`, () => {
      const result = kfpRunCompletion({ status, runId: 'r-1', run, components, provider: { namespace: '', name: 'k' }, now });
      const seen = result.kind === 'completed' ? { kind: result.kind, pipelineComponents: result.event.pipelineComponents } : result;
      expect(seen).to.deep.equal(decision);
    });
  }
});
