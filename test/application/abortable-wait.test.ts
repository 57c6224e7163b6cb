import { getEventListeners } from 'node:events';
import { expect } from 'chai';
import { abortableWait } from '../../src/application/abortable-wait.js';

describe('abortable wait', () => {
  it('resolves true once the work resolves, without abandoning it', async () => {
    let abandoned = 0;
    const work = new Promise<void>((resolve) => setTimeout(resolve, 5));
    expect(await abortableWait(work, new AbortController().signal, () => (abandoned += 1))).to.equal(true);
    expect(abandoned).to.equal(0);
  });

  it('resolves false at once when aborted while waiting, abandoning the work once', async () => {
    const controller = new AbortController();
    let abandoned = 0;
    const started = Date.now();
    const waiting = abortableWait(new Promise(() => undefined), controller.signal, () => (abandoned += 1));
    setTimeout(() => controller.abort(), 5);
    expect(await waiting).to.equal(false);
    expect(Date.now() - started).to.be.below(1000);
    controller.abort();
    expect(abandoned).to.equal(1);
  });

  it('resolves false for a signal that is already aborted, abandoning work that is already done', async () => {
    let abandoned = 0;
    expect(await abortableWait(Promise.resolve(), AbortSignal.abort(), () => (abandoned += 1))).to.equal(false);
    expect(abandoned).to.equal(1);
  });

  it('rejects with the rejection of the work', async () => {
    const failure = new Error('work failed');
    const outcome = await abortableWait(Promise.reject(failure), new AbortController().signal).catch((error: unknown) => error);
    expect(outcome).to.equal(failure);
  });

  it('leaves no listener on the signal, however many waits it served', async () => {
    const controller = new AbortController();
    for (let n = 0; n < 20; n += 1) await abortableWait(Promise.resolve(), controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).to.have.length(0);
  });
});
