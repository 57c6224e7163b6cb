import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runCompletionEventCodec } from '../../../src/adapters/local/local-state-codec.js';
import { SqliteRunEventSource } from '../../../src/adapters/local/sqlite-run-event-source.js';
import { SqliteStateStore } from '../../../src/adapters/local/sqlite-state-store.js';
import type { RunEventMessage } from '../../../src/ports/run-event-source.js';
import { RunCompletionEventMother } from '../../support/definition-mother.js';

async function take(iterator: AsyncIterator<RunEventMessage>): Promise<RunEventMessage> {
  const next = await iterator.next();
  if (next.done) throw new Error('the source ended');
  return next.value;
}

describe('sqlite run event source', () => {
  const firstSeen = new Date('2030-01-01T00:00:00Z');
  const clock = { now: () => firstSeen };
  let dir: string;
  let file: string;
  const stores: SqliteStateStore[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-events-'));
    file = join(dir, 'state.db');
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function sourceOnFile(): Promise<{ store: SqliteStateStore; source: SqliteRunEventSource }> {
    const store = await SqliteStateStore.openFile(file, 0);
    stores.push(store);
    const source = new SqliteRunEventSource({ store, codec: runCompletionEventCodec, clock });
    await source.start();
    return { store, source };
  }

  it('hands out a published event as it was published, times included, and forgets it on ack', async () => {
    const { store, source } = await sourceOnFile();
    const event = RunCompletionEventMother.valid();
    source.publish(event, 'run-1');
    const message = await take(source.messages()[Symbol.asyncIterator]());
    expect(message.id).to.equal('run-1');
    expect(message.firstSeenAt).to.deep.equal(firstSeen);
    expect(message.payload).to.deep.equal(event);
    expect(store.events().map((stored) => stored.id)).to.deep.equal(['run-1']);
    await message.ack();
    expect(store.events()).to.deep.equal([]);
    await source.stop();
  });

  it('hands a released event out again', async () => {
    const { source } = await sourceOnFile();
    source.publish({ n: 1 }, 'a');
    const iterator = source.messages()[Symbol.asyncIterator]();
    await (await take(iterator)).release();
    expect((await take(iterator)).id).to.equal('a');
    await source.stop();
  });

  it('delivers first what an earlier process left undelivered, released and in flight alike, in order', async () => {
    const earlier = await sourceOnFile();
    earlier.source.publish({ n: 1 }, 'a');
    earlier.source.publish({ n: 2 }, 'b');
    earlier.source.publish({ n: 3 }, 'c');
    const iterator = earlier.source.messages()[Symbol.asyncIterator]();
    await (await take(iterator)).ack();
    const inFlight = await take(iterator);
    await earlier.source.stop();
    await inFlight.release();
    earlier.store.close();

    const later = await sourceOnFile();
    later.source.publish({ n: 4 }, 'd');
    const next = later.source.messages()[Symbol.asyncIterator]();
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const message = await take(next);
      ids.push(message.id);
      await message.ack();
    }
    expect(ids).to.deep.equal(['b', 'c', 'd']);
    expect(later.store.events()).to.deep.equal([]);
    await later.source.stop();
  });

  it('refuses an id that is stored and undelivered', async () => {
    const { source } = await sourceOnFile();
    source.publish({}, 'same');
    expect(() => source.publish({}, 'same')).to.throw('same');
  });

  it('leaves the event stored when it is settled after the store was closed', async () => {
    const { store, source } = await sourceOnFile();
    source.publish({}, 'a');
    const message = await take(source.messages()[Symbol.asyncIterator]());
    await source.stop();
    store.close();
    await message.ack();
    const reopened = await sourceOnFile();
    expect(reopened.store.events().map((event) => event.id)).to.deep.equal(['a']);
    await reopened.source.stop();
  });

  it('hands on a payload that does not decode as its text, for the normaliser to refuse', async () => {
    const store = SqliteStateStore.inMemory();
    stores.push(store);
    store.addEvent('broken', '{not json', firstSeen);
    const source = new SqliteRunEventSource({ store, codec: runCompletionEventCodec, clock });
    await source.start();
    expect((await take(source.messages()[Symbol.asyncIterator]())).payload).to.equal('{not json');
    await source.stop();
  });
});
