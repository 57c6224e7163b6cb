import { expect } from 'chai';
import { errorMessage } from '../../src/domain/error-message.js';

describe('errorMessage', () => {
  it("gives an Error's message, also of a subclass", () => {
    expect(errorMessage(new RangeError('out of range'))).to.equal('out of range');
  });

  it('gives anything else thrown as a string', () => {
    expect(errorMessage('plain text')).to.equal('plain text');
    expect(errorMessage(42)).to.equal('42');
    expect(errorMessage(undefined)).to.equal('undefined');
  });

  it('gives the stack when asked and there is one, the message otherwise', () => {
    const error = new Error('boom');
    const described = errorMessage(error, { withStack: true });
    expect(described).to.equal(error.stack);
    expect(described).to.match(/^Error: boom\n\s+at /);
    const stackless = Object.assign(new Error('no stack'), { stack: undefined });
    expect(errorMessage(stackless, { withStack: true })).to.equal('no stack');
    expect(errorMessage('thrown text', { withStack: true })).to.equal('thrown text');
  });
});
