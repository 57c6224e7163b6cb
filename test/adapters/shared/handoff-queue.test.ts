import { expect } from 'chai';
import { HandoffQueue } from '../../../src/adapters/shared/handoff-queue.js';

interface Item {
  readonly key: string;
  readonly value: number;
}

function queue(): HandoffQueue<Item> {
  return new HandoffQueue<Item>({ keyOf: (item) => item.key });
}

const pending = Symbol('pending');

/** What `promise` settled with once every queued callback ran, or `pending`. */
async function settledSoFar<T>(promise: Promise<T>): Promise<T | typeof pending> {
  return Promise.race([promise, new Promise<typeof pending>((resolve) => setImmediate(() => resolve(pending)))]);
}

describe('HandoffQueue', () => {
  it('hands items out oldest first; a push of a queued key replaces it in its place', async () => {
    const items = queue();
    items.push({ key: 'a', value: 1 });
    items.push({ key: 'b', value: 2 });
    items.push({ key: 'a', value: 3 });
    expect(items.size).to.equal(2);
    expect(await items.take()).to.deep.equal({ key: 'a', value: 3 });
    expect(await items.take()).to.deep.equal({ key: 'b', value: 2 });
    expect(items.size).to.equal(0);
  });

  it('keeps a take on an empty queue waiting until the next push', async () => {
    const items = queue();
    const taking = items.take();
    expect(await settledSoFar(taking)).to.equal(pending);
    items.push({ key: 'late', value: 1 });
    expect(await taking).to.deep.equal({ key: 'late', value: 1 });
  });

  it('gives each of two waiting consumers one of two pushed items', async () => {
    const items = queue();
    const first = items.take();
    const second = items.take();
    items.push({ key: 'a', value: 1 });
    items.push({ key: 'b', value: 2 });
    expect((await Promise.all([first, second])).map((item) => item?.key)).to.have.members(['a', 'b']);
  });

  it('lets a source look up and withdraw an item not handed out yet; a consumer woken for it waits on', async () => {
    const items = queue();
    const taking = items.take();
    items.push({ key: 'gone', value: 1 });
    expect(items.get('gone')).to.deep.equal({ key: 'gone', value: 1 });
    expect(items.delete('gone')).to.equal(true);
    expect(items.delete('gone')).to.equal(false);
    expect(items.get('gone')).to.equal(undefined);
    expect(await settledSoFar(taking)).to.equal(pending);
    items.push({ key: 'next', value: 2 });
    expect(await taking).to.deep.equal({ key: 'next', value: 2 });
  });

  it('on close wakes every waiting consumer with undefined, and takes give undefined until reopened', async () => {
    const items = queue();
    const waiting = [items.take(), items.take()];
    items.close();
    expect(items.closed).to.equal(true);
    expect(await Promise.all(waiting)).to.deep.equal([undefined, undefined]);
    items.push({ key: 'kept', value: 1 });
    expect(await items.take()).to.equal(undefined);
    items.reopen();
    expect(items.closed).to.equal(false);
    expect(await items.take()).to.deep.equal({ key: 'kept', value: 1 });
  });

  it('ends a take woken by close even when the queue is reopened before that take resumes', async () => {
    const items = queue();
    const taking = items.take();
    items.close();
    items.reopen();
    items.push({ key: 'after', value: 1 });
    expect(await taking).to.equal(undefined);
    expect(await items.take()).to.deep.equal({ key: 'after', value: 1 });
  });

  it('drains what is queued, oldest first, leaving it empty', async () => {
    const items = queue();
    items.push({ key: 'a', value: 1 });
    items.push({ key: 'b', value: 2 });
    items.close();
    expect(items.drain().map((item) => item.key)).to.deep.equal(['a', 'b']);
    expect(items.size).to.equal(0);
    expect(items.drain()).to.deep.equal([]);
  });

  it('refuses options without a keyOf function', () => {
    expect(() => new HandoffQueue({} as unknown as { keyOf: (item: Item) => string })).to.throw(TypeError, 'keyOf');
  });
});
