import { expect } from 'chai';
import { BackendError, InvalidInputError, isProviderError, NotFoundError, NotImplementedError } from '../../src/domain/errors.js';

describe('provider errors', () => {
  const kinds = [
    { error: new InvalidInputError('bad'), kind: 'invalid-input', name: 'InvalidInputError' },
    { error: new NotFoundError('gone'), kind: 'not-found', name: 'NotFoundError' },
    { error: new NotImplementedError('no'), kind: 'not-implemented', name: 'NotImplementedError' },
    { error: new BackendError('down'), kind: 'backend-failure', name: 'BackendError' },
  ];
  for (const { error, kind, name } of kinds) {
    it(`${name} has kind ${kind} and its own name`, () => {
      expect(error.kind).to.equal(kind);
      expect(error.name).to.equal(name);
      expect(isProviderError(error)).to.equal(true);
    });
  }

  it('keeps the cause', () => {
    const cause = new Error('socket hang up');
    expect(new BackendError('storage failed', { cause }).cause).to.equal(cause);
  });

  it('does not count plain errors as provider errors', () => {
    expect(isProviderError(new Error('x'))).to.equal(false);
    expect(isProviderError('x')).to.equal(false);
  });
});
