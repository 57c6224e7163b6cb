import { expect } from 'chai';
import { completionOfVertexJob, type VertexJobReport } from '../../../src/domain/vertex/vertex-job-completion.js';

describe('vertex job completion', () => {
  const provider = { namespace: 'ops', name: 'vai' };
  const labels = {
    'pipeline-name': 'pipe',
    'pipeline-namespace': 'team',
    'run-name': 'train',
    'run-namespace': 'team',
    'runconfiguration-name': 'rc',
    'runconfiguration-namespace': 'team',
  };
  const job = (overrides: Partial<VertexJobReport> = {}): VertexJobReport => ({
    state: 'PIPELINE_STATE_SUCCEEDED',
    labels,
    startTime: new Date('2030-01-01T00:00:00.123Z'),
    endTime: new Date('2030-01-01T01:00:00Z'),
    tasks: [
      { taskName: 'Trainer', outputs: [{ name: 'model', artifacts: [{ uri: 'gs://b/model', metadata: { accuracy: 0.9 } }] }] },
      { taskName: 'Pusher', outputs: [] },
    ],
    ...overrides,
  });

  const finished: Array<[string, string]> = [
    ['PIPELINE_STATE_SUCCEEDED', 'succeeded'],
    ['PIPELINE_STATE_FAILED', 'failed'],
    ['PIPELINE_STATE_CANCELLED', 'failed'],
  ];
  for (const [state, status] of finished) {
    it(`maps ${state} to ${status}`, () => {
      expect(completionOfVertexJob('team-train-v1', job({ state }), provider)).to.have.nested.property('event.status', status);
    });
  }

  const unfinished: Array<[string, string]> = [
    ['PIPELINE_STATE_RUNNING', 'state PIPELINE_STATE_RUNNING'],
    ['PIPELINE_STATE_CANCELLING', 'state PIPELINE_STATE_CANCELLING'],
    ['PIPELINE_STATE_QUEUED', 'state PIPELINE_STATE_QUEUED'],
    ['PIPELINE_STATE_PENDING', 'state PIPELINE_STATE_PENDING'],
    ['PIPELINE_STATE_PAUSED', 'state PIPELINE_STATE_PAUSED'],
    ['PIPELINE_STATE_UNSPECIFIED', 'state PIPELINE_STATE_UNSPECIFIED'],
    ['', 'state unknown'],
  ];
  for (const [state, shown] of unfinished) {
    it(`answers pending for ${state || 'a job without a state'}, naming the job and its state`, () => {
      expect(completionOfVertexJob('team-train-v1', job({ state }), provider)).to.deep.equal({
        kind: 'pending',
        reason: `pipeline job team-train-v1 has not finished yet (${shown})`,
      });
    });
  }

  it('builds the whole event from the job', () => {
    expect(completionOfVertexJob('team-train-v1', job(), provider)).to.deep.equal({
      kind: 'completed',
      event: {
        status: 'succeeded',
        pipelineName: { namespace: 'team', name: 'pipe' },
        runConfigurationName: { namespace: 'team', name: 'rc' },
        runName: { namespace: 'team', name: 'train' },
        runId: 'team-train-v1',
        runStartTime: new Date('2030-01-01T00:00:00.123Z'),
        runEndTime: new Date('2030-01-01T01:00:00Z'),
        pipelineComponents: [
          { name: 'Trainer', componentArtifacts: [{ name: 'model', artifacts: [{ uri: 'gs://b/model', metadata: { accuracy: 0.9 } }] }] },
          { name: 'Pusher', componentArtifacts: [] },
        ],
        provider,
      },
    });
  });

  it('omits names and times the job does not carry', () => {
    const result = completionOfVertexJob(
      'sched-123',
      { state: 'PIPELINE_STATE_FAILED', labels: { 'pipeline-name': 'pipe', 'runconfiguration-name': 'rc' }, tasks: [] },
      provider,
    );
    expect(result).to.deep.equal({
      kind: 'completed',
      event: {
        status: 'failed',
        pipelineName: { namespace: '', name: 'pipe' },
        runConfigurationName: { namespace: '', name: 'rc' },
        runId: 'sched-123',
        pipelineComponents: [],
        provider,
      },
    });
  });

  it('marks a job naming neither a run nor a run configuration invalid', () => {
    const result = completionOfVertexJob('x', job({ labels: { 'pipeline-name': 'pipe' } }), provider);
    expect(result).to.have.property('kind', 'invalid');
  });

  it('marks a run namespace without a run name invalid', () => {
    const result = completionOfVertexJob('x', job({ labels: { 'pipeline-name': 'pipe', 'run-namespace': 'team' } }), provider);
    expect(result).to.have.property('kind', 'invalid');
  });
});
