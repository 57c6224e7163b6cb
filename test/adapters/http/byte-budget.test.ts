import { expect } from 'chai';
import { ByteBudget } from '../../../src/adapters/http/byte-budget.js';

async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('byte budget', () => {
  it('grants what is free at once and makes a request for more wait until enough is given back', async () => {
    const budget = new ByteBudget(100);
    const first = await budget.acquire(60);
    const second = budget.acquire(50);
    expect(await settled(second)).to.equal(false);
    expect(budget.available).to.equal(40);
    first();
    const release = await second;
    expect(budget.available).to.equal(50);
    release();
    release();
    expect(budget.available).to.equal(100);
  });

  it('serves waiters in order, so a small request does not overtake a large one', async () => {
    const budget = new ByteBudget(100);
    const held = await budget.acquire(90);
    const large = budget.acquire(80);
    const small = budget.acquire(5);
    expect(await settled(small)).to.equal(false);
    held();
    expect(await settled(large)).to.equal(true);
    expect(await settled(small)).to.equal(true);
    expect(budget.available).to.equal(15);
  });

  it('lets a request for more than the capacity wait for all of it', async () => {
    const budget = new ByteBudget(100);
    const held = await budget.acquire(1);
    const huge = budget.acquire(10_000);
    expect(await settled(huge)).to.equal(false);
    held();
    await huge;
    expect(budget.available).to.equal(0);
  });

  it('drops a waiter whose signal aborts, taking nothing, and lets the next one in', async () => {
    const budget = new ByteBudget(100);
    const held = await budget.acquire(60);
    const gone = new AbortController();
    const abandoned = budget.acquire(80, gone.signal);
    const next = budget.acquire(40);
    gone.abort(new Error('client went away'));
    await abandoned.then(
      () => expect.fail('an aborted request must not be granted'),
      (error: Error) => expect(error.message).to.equal('client went away'),
    );
    await next;
    expect(budget.waiting).to.equal(0);
    held();
    expect(budget.available).to.equal(60);
  });

  it('refuses a capacity that is not a positive whole number', () => {
    expect(() => new ByteBudget(0)).to.throw(RangeError);
    expect(() => new ByteBudget(1.5)).to.throw(RangeError);
  });
});
