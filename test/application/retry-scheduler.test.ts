import { expect } from 'chai';
import { RetryBackoff } from '../../src/application/retry-backoff.js';
import { RetryScheduler } from '../../src/application/retry-scheduler.js';

function scheduler(initialMs: number, maxMs = initialMs * 8): RetryScheduler {
  return new RetryScheduler(new RetryBackoff({ initialMs, maxMs, random: () => 1 }));
}

describe('retry scheduler', () => {
  it('resolves a wait to true once the backoff of its attempt has passed', async () => {
    const retries = scheduler(20);
    const started = Date.now();
    expect(await retries.wait(1)).to.equal(true);
    // The second retry's ceiling is twice the first delay, and the jitter is pinned to the top.
    expect(Date.now() - started).to.be.at.least(38);
    expect(retries.size).to.equal(0);
  });

  it('counts the waits still running', async () => {
    const retries = scheduler(10_000);
    const waits = [retries.wait(0), retries.wait(3), retries.wait(0)];
    expect(retries.size).to.equal(3);
    retries.cancelAll();
    expect(await Promise.all(waits)).to.deep.equal([false, false, false]);
    expect(retries.size).to.equal(0);
  });

  it('ends every wait at once on cancelAll, later ones included', async () => {
    const retries = scheduler(60_000);
    const started = Date.now();
    const waiting = Array.from({ length: 1000 }, (_, attempt) => retries.wait(attempt));
    retries.cancelAll();
    expect(new Set(await Promise.all(waiting))).to.deep.equal(new Set([false]));
    expect(await retries.wait(0)).to.equal(false);
    expect(Date.now() - started).to.be.below(500);
  });
});
