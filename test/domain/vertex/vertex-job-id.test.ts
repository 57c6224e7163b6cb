import { expect } from 'chai';
import { InvalidInputError } from '../../../src/domain/errors.js';
import { checkVertexJobId, vertexJobId, vertexRunId } from '../../../src/domain/vertex/vertex-job-id.js';
import { aRun } from './vertex-definitions-mother.js';

describe('vertex job id', () => {
  it('is {ns}-{name}-{version} while the run id is {ns}-{name}', () => {
    const run = aRun({ name: { namespace: 'team', name: 'train' }, version: 'abc123' });
    expect(vertexJobId(run)).to.equal('team-train-abc123');
    expect(vertexRunId(run)).to.equal('team-train');
  });

  it('leaves the id to Vertex AI for a run without a name of its own', () => {
    const run = aRun({ name: { namespace: '', name: '' }, runConfigurationName: { namespace: 'team', name: 'rc' } });
    expect(vertexJobId(run)).to.equal(undefined);
    expect(vertexRunId(run)).to.equal(undefined);
  });

  it('leaves out the namespace when there is none', () => {
    expect(vertexJobId(aRun({ name: { namespace: '', name: 'train' }, version: 'v1' }))).to.equal('train-v1');
  });

  const valid = ['a', 'team-train-abc123', 'a'.repeat(128), 'x-1-2-'];
  for (const id of valid) {
    it(`accepts "${id.length > 20 ? `${id.slice(0, 10)}… (${id.length})` : id}"`, () => {
      expect(() => checkVertexJobId(id)).not.to.throw();
    });
  }

  const invalid = [
    { id: '', why: 'empty' },
    { id: '1abc', why: 'starts with a digit' },
    { id: '-abc', why: 'starts with a hyphen' },
    { id: 'Team-train', why: 'upper case' },
    { id: 'team-train-0.0.1', why: 'dots' },
    { id: 'team_train', why: 'underscore' },
    { id: 'a'.repeat(129), why: 'longer than 128' },
  ];
  for (const { id, why } of invalid) {
    it(`rejects an id with ${why} as invalid input`, () => {
      expect(() => checkVertexJobId(id)).to.throw(InvalidInputError);
    });
  }

  it('rejects a run whose version has dots before anything is sent', () => {
    expect(() => vertexJobId(aRun({ version: '1.0' }))).to.throw(InvalidInputError, /team-train-1\.0/);
  });
});
