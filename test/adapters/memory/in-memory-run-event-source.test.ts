import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect } from 'chai';
import { InMemoryRunEventSource } from '../../../src/adapters/memory/in-memory-run-event-source.js';
import type { RunEventMessage } from '../../../src/ports/run-event-source.js';

async function take(iterator: AsyncIterator<RunEventMessage>): Promise<RunEventMessage> {
  const next = await iterator.next();
  if (next.done) throw new Error('the source ended');
  return next.value;
}

describe('in-memory run event source', () => {
  const firstSeen = new Date('2030-01-01T00:00:00Z');

  it('hands out messages in order with their first-seen time, and tracks their state', async () => {
    const source = new InMemoryRunEventSource({ clock: { now: () => firstSeen } });
    await source.start();
    const a = source.publish({ n: 1 });
    const b = source.publish({ n: 2 }, 'custom-id');
    const iterator = source.messages()[Symbol.asyncIterator]();
    const first = await take(iterator);
    expect(first).to.include({ id: a });
    expect(first.payload).to.deep.equal({ n: 1 });
    expect(first.firstSeenAt).to.deep.equal(firstSeen);
    expect(Object.fromEntries(source.states())).to.deep.equal({ [a]: 'in-flight', [b]: 'queued' });
    await first.ack();
    expect(source.states().get(a)).to.equal('acked');
    expect((await take(iterator)).id).to.equal('custom-id');
    await source.stop();
  });

  it('delivers a released message again, keeping its first-seen time', async () => {
    let now = firstSeen;
    const source = new InMemoryRunEventSource({ clock: { now: () => now } });
    await source.start();
    const id = source.publish('payload');
    const iterator = source.messages()[Symbol.asyncIterator]();
    await (await take(iterator)).release();
    expect(source.states().get(id)).to.equal('queued');
    now = new Date('2031-01-01T00:00:00Z');
    const again = await take(iterator);
    expect(again.id).to.equal(id);
    expect(again.firstSeenAt).to.deep.equal(firstSeen);
    await source.stop();
  });

  it('waits for a publish when empty, and ends the iteration on stop', async () => {
    const source = new InMemoryRunEventSource();
    await source.start();
    const iterator = source.messages()[Symbol.asyncIterator]();
    const waiting = iterator.next();
    source.publish('late');
    expect(((await waiting).value as RunEventMessage).payload).to.equal('late');
    const ending = iterator.next();
    await source.stop();
    expect((await ending).done).to.equal(true);
    expect(source.running).to.equal(false);
  });

  it('keeps a message released after stop as released rather than queueing it', async () => {
    const source = new InMemoryRunEventSource();
    await source.start();
    const id = source.publish('x');
    const message = await take(source.messages()[Symbol.asyncIterator]());
    await source.stop();
    await message.release();
    expect(source.states().get(id)).to.equal('released');
  });

  it('refuses a duplicate message id', () => {
    const source = new InMemoryRunEventSource();
    source.publish('x', 'same');
    expect(() => source.publish('y', 'same')).to.throw('same');
  });

  it('remembers only the ids and states of the most recent settled messages', async () => {
    const source = new InMemoryRunEventSource({ settledHistory: 3 });
    await source.start();
    const iterator = source.messages()[Symbol.asyncIterator]();
    const ids = [0, 1, 2, 3, 4].map((n) => source.publish({ n }));
    for (let n = 0; n < 4; n += 1) await (await take(iterator)).ack();
    expect(Object.fromEntries(source.states())).to.deep.equal({
      [ids[1]!]: 'acked',
      [ids[2]!]: 'acked',
      [ids[3]!]: 'acked',
      [ids[4]!]: 'queued',
    });
    expect(source.idsIn('acked')).to.deep.equal(ids.slice(1, 4));
    // The forgotten id can be published again; a remembered one cannot.
    expect(() => source.publish('again', ids[0])).not.to.throw();
    expect(() => source.publish('again', ids[3])).to.throw(ids[3]);
    await source.stop();
  });

  it('keeps no settled history when asked for none, and refuses a negative one', async () => {
    const source = new InMemoryRunEventSource({ settledHistory: 0 });
    await source.start();
    const id = source.publish('x');
    await (await take(source.messages()[Symbol.asyncIterator]())).ack();
    expect(source.states().size).to.equal(0);
    expect(source.states().get(id)).to.equal(undefined);
    await source.stop();
    expect(() => new InMemoryRunEventSource({ settledHistory: -1 })).to.throw(RangeError);
  });

  it('lets go of the payload of a settled message', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const source = new InMemoryRunEventSource();
    await source.start();
    const iterator = source.messages()[Symbol.asyncIterator]();
    const payload = new WeakRef({ large: 'x'.repeat(1000) });
    source.publish(payload.deref());
    source.publish('next');
    await (await take(iterator)).ack();
    // Taking the next message moves the iteration past the settled one.
    await take(iterator);
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(payload.deref()).to.equal(undefined);
    await source.stop();
  });

  it('does not grow with the number of messages settled', async () => {
    const source = new InMemoryRunEventSource();
    await source.start();
    const iterator = source.messages()[Symbol.asyncIterator]();
    for (let n = 0; n < 5000; n += 1) {
      source.publish({ n, padding: 'x'.repeat(100) });
      await (await take(iterator)).ack();
    }
    expect(source.states().size).to.equal(1000);
    await source.stop();
  });
});
