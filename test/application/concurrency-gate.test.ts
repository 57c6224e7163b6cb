import { expect } from 'chai';
import { ConcurrencyGate } from '../../src/application/concurrency-gate.js';

async function settled(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('concurrency gate', () => {
  it('hands out up to the limit at once and makes the next holder wait', async () => {
    const gate = new ConcurrencyGate(2);
    expect(await gate.acquire()).to.equal(true);
    expect(await gate.acquire()).to.equal(true);
    let third: boolean | undefined;
    void gate.acquire().then((granted) => (third = granted));
    await settled();
    expect(gate.held).to.equal(2);
    expect(gate.free).to.equal(0);
    expect(third).to.equal(undefined);
    gate.release();
    await settled();
    expect(third).to.equal(true);
    expect(gate.held).to.equal(2);
  });

  it('wakes waiters in FIFO order, one per release', async () => {
    const gate = new ConcurrencyGate(1);
    await gate.acquire();
    const order: number[] = [];
    for (const n of [1, 2, 3]) void gate.acquire().then(() => order.push(n));
    gate.release();
    await settled();
    expect(order).to.deep.equal([1]);
    gate.release();
    gate.release();
    await settled();
    expect(order).to.deep.equal([1, 2, 3]);
    expect(gate.held).to.equal(1);
  });

  it('frees slots when nobody waits, and never goes below zero', async () => {
    const gate = new ConcurrencyGate(3);
    await gate.acquire();
    expect(gate.free).to.equal(2);
    gate.release();
    gate.release();
    expect(gate.held).to.equal(0);
    expect(gate.free).to.equal(3);
  });

  it('once closed, refuses every waiter at once and every later acquire, and still takes slots back', async () => {
    const gate = new ConcurrencyGate(1);
    await gate.acquire();
    const waiters = [gate.acquire(), gate.acquire()];
    gate.close();
    expect(await Promise.all(waiters)).to.deep.equal([false, false]);
    expect(await gate.acquire()).to.equal(false);
    expect(gate.free).to.equal(0);
    gate.release();
    expect(gate.held).to.equal(0);
  });

  for (const limit of [0, -1, 1.5, Number.NaN]) {
    it(`refuses the limit ${limit}`, () => {
      expect(() => new ConcurrencyGate(limit)).to.throw(RangeError, 'limit');
    });
  }
});
