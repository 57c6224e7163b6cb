import { expect } from 'chai';
import { abortableDelay } from '../../src/application/abortable-delay.js';

describe('abortable delay', () => {
  it('resolves true after the delay', async () => {
    const started = Date.now();
    expect(await abortableDelay(20, new AbortController().signal)).to.equal(true);
    expect(Date.now() - started).to.be.at.least(15);
  });

  it('resolves false at once when aborted while waiting', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const waiting = abortableDelay(10_000, controller.signal);
    setTimeout(() => controller.abort(), 5);
    expect(await waiting).to.equal(false);
    expect(Date.now() - started).to.be.below(1000);
  });

  it('resolves false for a signal that is already aborted', async () => {
    expect(await abortableDelay(10_000, AbortSignal.abort())).to.equal(false);
  });
});
