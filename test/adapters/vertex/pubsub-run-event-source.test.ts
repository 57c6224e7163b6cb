import { EventEmitter } from 'node:events';
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { expect } from 'chai';
import { PubSubRunEventSource } from '../../../src/adapters/vertex/pubsub-run-event-source.js';
import { RecordingLogger } from '../../support/recording-logger.js';

// Redeliveries of a message still being processed cannot be provoked on the emulator at will;
// this stand-in for the SDK subscription emits them on demand.
class ScriptedSubscription extends EventEmitter {
  readonly name = 'projects/p/subscriptions/s';
  closed = false;
  async exists(): Promise<[boolean]> {
    return [true];
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

function delivery(id: string, settled: string[]): Message {
  return {
    id,
    data: Buffer.from(`{"n":"${id}"}`),
    publishTime: new Date('2030-01-01T00:00:00Z'),
    ack: () => settled.push(`ack ${id}`),
    nack: () => settled.push(`nack ${id}`),
  } as unknown as Message;
}

describe('PubSubRunEventSource redeliveries', () => {
  let subscription: ScriptedSubscription;
  let source: PubSubRunEventSource;
  let settled: string[];

  beforeEach(async () => {
    settled = [];
    subscription = new ScriptedSubscription();
    source = new PubSubRunEventSource({
      pubsub: { close: async () => undefined } as unknown as PubSub,
      subscription: subscription as unknown as Subscription,
      logger: new RecordingLogger(),
    });
    await source.start();
  });

  afterEach(async () => {
    await source.close();
  });

  it('hands a message out once and settles a copy redelivered meanwhile with it', async () => {
    const messages = source.messages()[Symbol.asyncIterator]();
    subscription.emit('message', delivery('m1', settled));
    const first = await messages.next();
    subscription.emit('message', delivery('m1', settled));
    expect(first.value).to.include({ id: 'm1', payload: '{"n":"m1"}' });
    expect(first.value.firstSeenAt.toISOString()).to.equal('2030-01-01T00:00:00.000Z');
    await first.value.release();
    expect(settled).to.deep.equal(['nack m1', 'nack m1']);
  });

  it('acknowledges a redelivery of an acknowledged message without handing it out again', async () => {
    const messages = source.messages()[Symbol.asyncIterator]();
    subscription.emit('message', delivery('m1', settled));
    await (await messages.next()).value.ack();
    subscription.emit('message', delivery('m1', settled));
    subscription.emit('message', delivery('m2', settled));
    expect((await messages.next()).value.id).to.equal('m2');
    expect(settled).to.deep.equal(['ack m1', 'ack m1']);
  });

  it('hands back messages not yet handed out when it stops, and ends the iteration', async () => {
    const messages = source.messages()[Symbol.asyncIterator]();
    subscription.emit('message', delivery('m1', settled));
    subscription.emit('message', delivery('m2', settled));
    const first = await messages.next();
    await source.stop();
    expect(settled).to.deep.equal(['nack m2']);
    expect(subscription.closed).to.equal(true);
    expect((await messages.next()).done).to.equal(true);
    await first.value.ack();
    expect(settled).to.deep.equal(['nack m2', 'ack m1']);
  });

  it('ends the iteration with the error when the subscription fails', async () => {
    const messages = source.messages()[Symbol.asyncIterator]();
    const next = messages.next();
    subscription.emit('error', Object.assign(new Error('5 NOT_FOUND: subscription deleted'), { code: 5 }));
    let failure: Error | undefined;
    await next.catch((error: Error) => {
      failure = error;
    });
    expect(failure?.message).to.contain('NOT_FOUND');
  });

  it('after a fatal error stops the stream and no longer takes messages, handing back the queued ones', async () => {
    subscription.emit('message', delivery('m1', settled));
    subscription.emit('error', Object.assign(new Error('7 PERMISSION_DENIED'), { code: 7 }));
    expect(settled).to.deep.equal(['nack m1']);
    expect(subscription.listenerCount('message')).to.equal(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(subscription.closed).to.equal(true);
    // A second error after the failure must not be thrown by the emitter.
    subscription.emit('error', new Error('again'));
  });

  it('forgets the oldest acknowledged ids beyond rememberedAcks', async () => {
    const small = new PubSubRunEventSource({
      pubsub: { close: async () => undefined } as unknown as PubSub,
      subscription: subscription as unknown as Subscription,
      logger: new RecordingLogger(),
      rememberedAcks: 1,
    });
    await source.stop();
    await small.start();
    const messages = small.messages()[Symbol.asyncIterator]();
    for (const id of ['m1', 'm2']) {
      subscription.emit('message', delivery(id, settled));
      await (await messages.next()).value.ack();
    }
    subscription.emit('message', delivery('m1', settled));
    expect((await messages.next()).value.id).to.equal('m1');
    await small.stop();
  });
});
