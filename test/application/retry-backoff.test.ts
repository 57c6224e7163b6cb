import { expect } from 'chai';
import { RetryBackoff } from '../../src/application/retry-backoff.js';

describe('retry backoff', () => {
  it('doubles the ceiling from the initial delay up to the cap (random pinned to its top)', () => {
    const backoff = new RetryBackoff({ initialMs: 100, maxMs: 1000, random: () => 1 });
    expect([0, 1, 2, 3, 4, 5, 50].map((attempt) => backoff.delayMs(attempt))).to.deep.equal([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('never goes below half the ceiling (random pinned to 0)', () => {
    const backoff = new RetryBackoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
    expect([0, 1, 2, 3, 4].map((attempt) => backoff.delayMs(attempt))).to.deep.equal([50, 100, 200, 400, 500]);
  });

  it('spreads delays uniformly between half the ceiling and the ceiling', () => {
    const backoff = new RetryBackoff({ initialMs: 100, maxMs: 1000, random: () => 0.5 });
    expect(backoff.delayMs(0)).to.equal(75);
    expect(backoff.delayMs(2)).to.equal(300);
  });

  it('stays within [ceiling/2, ceiling] with real randomness, also for huge attempt numbers', () => {
    const backoff = new RetryBackoff({ initialMs: 10, maxMs: 60_000 });
    for (let attempt = 0; attempt < 2000; attempt += 1) {
      const ceiling = Math.min(60_000, 10 * 2 ** attempt);
      const delay = backoff.delayMs(attempt);
      expect(delay).to.be.within(ceiling / 2 - 1, ceiling);
      expect(Number.isFinite(delay)).to.equal(true);
    }
  });

  const invalid = [
    { options: { initialMs: 0, maxMs: 10 }, message: 'initialMs' },
    { options: { initialMs: -1, maxMs: 10 }, message: 'initialMs' },
    { options: { initialMs: Number.NaN, maxMs: 10 }, message: 'initialMs' },
    { options: { initialMs: 10, maxMs: 5 }, message: 'maxMs' },
  ];
  for (const { options, message } of invalid) {
    it(`refuses ${JSON.stringify(options)}`, () => {
      expect(() => new RetryBackoff(options)).to.throw(RangeError, message);
    });
  }
});
