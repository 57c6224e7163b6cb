import { expect } from 'chai';
import { completedOrInvalid, ignoreEvent, invalidEvent } from '../../src/domain/event-normalisation.js';
import { toRunCompletionEventData, unacceptableEventReason } from '../../src/domain/run-completion-event.js';
import { RunCompletionEventMother } from '../support/definition-mother.js';

const empty = { namespace: '', name: '' };

describe('run completion event', () => {
  describe('rendering as RunCompletionEventData', () => {
    it('renders every field as the operator expects, in exact JSON', () => {
      const event = RunCompletionEventMother.valid({
        pipelineComponents: [
          { name: 'Trainer', componentArtifacts: [{ name: 'model', artifacts: [{ uri: 'gs://b/m', metadata: { accuracy: 0.9 } }] }] },
        ],
      });
      expect(JSON.stringify(toRunCompletionEventData(event))).to.equal(
        '{"status":"succeeded","pipelineName":"team/pipe","runConfigurationName":"team/rc","runName":"team/train","runId":"run-1",' +
          '"runStartTime":"2024-05-01T10:00:00.000Z","runEndTime":"2024-05-01T10:05:00.000Z",' +
          '"pipelineComponents":[{"name":"Trainer","componentArtifacts":[{"name":"model","artifacts":[{"uri":"gs://b/m","metadata":{"accuracy":0.9}}]}]}],' +
          '"provider":"ops/local"}',
      );
    });

    it('omits empty names and unknown times', () => {
      const data = toRunCompletionEventData(
        RunCompletionEventMother.valid({
          status: 'failed',
          runName: empty,
          runStartTime: undefined,
          runEndTime: undefined,
          pipelineName: { namespace: '', name: 'pipe' },
          provider: { namespace: '', name: 'local' },
        }),
      );
      expect(data).to.deep.equal({
        status: 'failed',
        pipelineName: 'pipe',
        runConfigurationName: 'team/rc',
        runId: 'run-1',
        pipelineComponents: [],
        provider: 'local',
      });
    });

    it('omits an absent run configuration', () => {
      const data = toRunCompletionEventData(RunCompletionEventMother.valid({ runConfigurationName: undefined }));
      expect(data).not.to.have.property('runConfigurationName');
      expect(data.runName).to.equal('team/train');
    });

    it('copies artifact metadata rather than sharing it', () => {
      const metadata = { a: 1 };
      const event = RunCompletionEventMother.valid({
        pipelineComponents: [{ name: 'T', componentArtifacts: [{ name: 'm', artifacts: [{ uri: 'u', metadata }] }] }],
      });
      const rendered = toRunCompletionEventData(event).pipelineComponents[0]!.componentArtifacts[0]!.artifacts[0]!.metadata;
      expect(rendered).to.deep.equal({ a: 1 });
      expect(rendered).not.to.equal(metadata);
    });
  });

  describe('acceptability', () => {
    it('accepts a complete event', () => {
      expect(unacceptableEventReason(RunCompletionEventMother.valid())).to.equal(undefined);
    });

    it('accepts an event naming only a run, or only a run configuration', () => {
      expect(unacceptableEventReason(RunCompletionEventMother.valid({ runConfigurationName: undefined }))).to.equal(undefined);
      expect(unacceptableEventReason(RunCompletionEventMother.valid({ runName: empty }))).to.equal(undefined);
    });

    const unacceptable = [
      {
        why: 'names neither a run nor a run configuration',
        overrides: { runName: empty, runConfigurationName: empty },
        reason: 'names neither',
      },
      { why: 'has both names absent', overrides: { runName: undefined, runConfigurationName: undefined }, reason: 'names neither' },
      { why: 'has no run id', overrides: { runId: '' }, reason: 'no run id' },
      {
        why: 'has a namespace without a run name',
        overrides: { runName: { namespace: 'team', name: '' } },
        reason: 'runName has namespace "team"',
      },
      {
        why: 'has a pipeline namespace without a name',
        overrides: { pipelineName: { namespace: 'team', name: '' } },
        reason: 'pipelineName',
      },
      { why: 'has a provider namespace without a name', overrides: { provider: { namespace: 'ops', name: '' } }, reason: 'provider' },
      { why: 'has an invalid start time', overrides: { runStartTime: new Date(Number.NaN) }, reason: 'runStartTime' },
      { why: 'has an invalid end time', overrides: { runEndTime: new Date(Number.NaN) }, reason: 'runEndTime' },
    ];
    for (const { why, overrides, reason } of unacceptable) {
      it(`refuses an event that ${why}`, () => {
        expect(unacceptableEventReason(RunCompletionEventMother.valid(overrides)))
          .to.be.a('string')
          .that.includes(reason);
      });
    }
  });

  describe('normalisation results', () => {
    it('wraps an acceptable event as completed', () => {
      const event = RunCompletionEventMother.valid();
      expect(completedOrInvalid(event)).to.deep.equal({ kind: 'completed', event });
    });

    it('wraps an unacceptable event as invalid with the reason', () => {
      const result = completedOrInvalid(RunCompletionEventMother.valid({ runName: empty, runConfigurationName: empty, runId: 'r-9' }));
      expect(result).to.deep.equal({ kind: 'invalid', reason: 'run r-9 names neither a run nor a run configuration' });
    });

    it('builds ignore and invalid results', () => {
      expect(ignoreEvent('still running')).to.deep.equal({ kind: 'ignore', reason: 'still running' });
      expect(invalidEvent('garbage')).to.deep.equal({ kind: 'invalid', reason: 'garbage' });
    });
  });
});
