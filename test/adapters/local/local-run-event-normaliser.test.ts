import { expect } from 'chai';
import { LocalRunEventNormaliser } from '../../../src/adapters/local/local-run-event-normaliser.js';
import { RunCompletionEventMother } from '../../support/definition-mother.js';

describe('local run event normaliser', () => {
  const normaliser = new LocalRunEventNormaliser();

  it('passes an acceptable local completion through as completed', async () => {
    const event = RunCompletionEventMother.valid();
    expect(await normaliser.normalise(event)).to.deep.equal({ kind: 'completed', event });
  });

  it('marks an event naming neither run nor run configuration invalid', async () => {
    const event = RunCompletionEventMother.valid({ runName: undefined, runConfigurationName: undefined });
    expect((await normaliser.normalise(event)).kind).to.equal('invalid');
  });

  for (const payload of [null, 'text', 42, {}, { runId: 1, status: 'succeeded' }]) {
    it(`marks ${JSON.stringify(payload)} invalid`, async () => {
      expect(await normaliser.normalise(payload)).to.deep.equal({ kind: 'invalid', reason: 'payload is not a local run completion' });
    });
  }
});
