import { expect } from 'chai';
import { InMemoryRunEventSource } from '../../src/adapters/memory/in-memory-run-event-source.js';
import type { ExperimentDefinition } from '../../src/domain/definitions.js';
import { BackendError, NotFoundError } from '../../src/domain/errors.js';
import { InMemoryProvider } from '../../src/testing/in-memory-provider.js';
import { RunDefinitionMother } from '../support/definition-mother.js';

const experiment: ExperimentDefinition = { name: { namespace: 'team', name: 'exp' }, version: 'v1', description: '' };
const run = RunDefinitionMother.valid({ runConfigurationName: { namespace: 'team', name: 'rc' } });

describe('InMemoryProvider', () => {
  it('stores what it creates under fresh non-empty ids and records every call', async () => {
    const provider = new InMemoryProvider();
    const first = await provider.experiment.create!(experiment);
    const second = await provider.experiment.create!(experiment);
    expect(first).to.be.a('string').that.is.not.empty;
    expect(second).not.to.equal(first);
    expect([...provider.stored('experiment').keys()]).to.deep.equal([first, second]);
    await provider.experiment.delete!(first);
    expect(provider.calls.map((call) => `${call.type}.${call.operation}`)).to.deep.equal([
      'experiment.create',
      'experiment.create',
      'experiment.delete',
    ]);
    expect(provider.callsOf('experiment', 'delete')).to.deep.equal([{ type: 'experiment', operation: 'delete', id: first }]);
  });

  it('offers every operation but run update by default, and only the listed ones when told', () => {
    expect(Object.keys(new InMemoryProvider().run).sort()).to.deep.equal(['create', 'delete']);
    const limited = new InMemoryProvider({ operations: { experiment: [], pipeline: ['delete'] } });
    expect(Object.keys(limited.experiment)).to.deep.equal([]);
    expect(Object.keys(limited.pipeline)).to.deep.equal(['delete']);
    expect(Object.keys(limited.runschedule).sort()).to.deep.equal(['create', 'delete', 'update']);
  });

  it('deletes missing resources without complaint and refuses to update them', async () => {
    const provider = new InMemoryProvider();
    await provider.pipeline.delete!('never/there');
    const failure = await provider.experiment.update!('experiment-9', experiment).catch((error: unknown) => error);
    expect(failure).to.be.instanceOf(NotFoundError);
  });

  it('holds a seeded resource under the given id without recording a call, and updates and completes it', async () => {
    const events = new InMemoryRunEventSource();
    const provider = new InMemoryProvider({ events });
    provider.seed('experiment', 'team/exp', experiment);
    provider.seed('run', 'run-from-before', run);
    expect(provider.calls).to.deep.equal([]);
    expect(provider.stored('experiment').get('team/exp')).to.equal(experiment);
    expect(await provider.experiment.update!('team/exp', { ...experiment, description: 'new' })).to.equal('team/exp');
    expect(provider.stored('experiment').get('team/exp')).to.include({ description: 'new' });
    expect(() => provider.completeRun('run-from-before')).not.to.throw();
    await provider.run.delete!('run-from-before');
    expect(() => provider.completeRun('run-from-before')).to.throw(/not created/);
  });

  it('fails the next matching call with the scripted error, once per failNext', async () => {
    const provider = new InMemoryProvider();
    const error = new BackendError('the backend is down');
    provider.failNext('run', 'create', error);
    provider.failNext('run', 'create', error);
    expect(await provider.experiment.create!(experiment)).to.be.a('string');
    expect(await provider.run.create!(run).catch((thrown: unknown) => thrown)).to.equal(error);
    expect(await provider.run.create!(run).catch((thrown: unknown) => thrown)).to.equal(error);
    expect(await provider.run.create!(run)).to.be.a('string');
    expect(provider.callsOf('run', 'create')).to.have.length(3);
    expect(provider.stored('run').size).to.equal(1);
  });

  it('publishes a completion named after the created run', async () => {
    const events = new InMemoryRunEventSource();
    const provider = new InMemoryProvider({ events, providerName: { namespace: 'kfp', name: 'memory' } });
    const id = await provider.run.create!(run);
    provider.completeRun(id, { status: 'failed' });
    await events.start();
    const iterator = events.messages()[Symbol.asyncIterator]();
    const message = (await iterator.next()).value as { payload: Record<string, unknown> };
    expect(message.payload).to.include({ status: 'failed', runId: id });
    expect(message.payload['runName']).to.deep.equal(run.name);
    expect(message.payload['provider']).to.deep.equal({ namespace: 'kfp', name: 'memory' });
    await events.stop();
  });

  it('refuses to complete a run it does not know, or without a source', async () => {
    expect(() => new InMemoryProvider().completeRun('run-1')).to.throw(/events option/);
    expect(() => new InMemoryProvider({ events: new InMemoryRunEventSource() }).completeRun('run-1')).to.throw(/not created/);
  });
});
