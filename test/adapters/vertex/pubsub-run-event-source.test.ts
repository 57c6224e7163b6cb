import { EventEmitter } from 'node:events';
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { expect } from 'chai';
import { PubSubRunEventSource, type PubSubReconnectOptions } from '../../../src/adapters/vertex/pubsub-run-event-source.js';
import { eventually } from '../../support/eventually.js';
import { RecordingLogger } from '../../support/recording-logger.js';

// Redeliveries of a message still being processed, and the client's own signs of trouble,
// cannot be provoked on the emulator at will; this stand-in for the SDK subscription emits them
// on demand. Its GetSubscription answers what the scripted server says.
class ScriptedSubscription extends EventEmitter {
  readonly name = 'projects/p/subscriptions/s';
  closed = false;

  constructor(private readonly server: ScriptedServer) {
    super();
  }

  get isOpen(): boolean {
    return !this.closed && this.listenerCount('message') > 0;
  }

  async exists(): Promise<[boolean]> {
    return [true];
  }

  async getMetadata(options: { timeout?: number; retry?: unknown }): Promise<[object]> {
    this.server.checks.push(options);
    if (this.server.failure) throw this.server.failure;
    return [{}];
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

class ScriptedServer {
  readonly subscriptions: ScriptedSubscription[] = [];
  readonly checks: Array<{ timeout?: number; retry?: unknown }> = [];
  /** What every check answers while set. */
  failure: Error | undefined;

  subscribe = (): Subscription => {
    const subscription = new ScriptedSubscription(this);
    this.subscriptions.push(subscription);
    return subscription as unknown as Subscription;
  };

  get latest(): ScriptedSubscription {
    return this.subscriptions.at(-1)!;
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

const quickReconnect: PubSubReconnectOptions = {
  budgetMs: 5000,
  initialDelayMs: 5,
  maxDelayMs: 20,
  checkIntervalMs: 60_000,
  checkTimeoutMs: 100,
  random: () => 0.5,
};

const unavailable = (): Error => Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });

function sourceOn(
  server: ScriptedServer,
  logger: RecordingLogger,
  reconnect: Partial<PubSubReconnectOptions> = {},
  rememberedAcks?: number,
) {
  return new PubSubRunEventSource({
    pubsub: { close: async () => undefined } as unknown as PubSub,
    subscribe: server.subscribe,
    logger,
    reconnect: { ...quickReconnect, ...reconnect },
    ...(rememberedAcks !== undefined ? { rememberedAcks } : {}),
  });
}

describe('PubSubRunEventSource', () => {
  let server: ScriptedServer;
  let logger: RecordingLogger;
  let source: PubSubRunEventSource;
  let settled: string[];

  beforeEach(async () => {
    settled = [];
    server = new ScriptedServer();
    logger = new RecordingLogger();
    source = sourceOn(server, logger);
    await source.start();
  });

  afterEach(async () => {
    await source.close();
  });

  describe('redeliveries', () => {
    it('hands a message out once and settles a copy redelivered meanwhile with it', async () => {
      const messages = source.messages()[Symbol.asyncIterator]();
      server.latest.emit('message', delivery('m1', settled));
      const first = await messages.next();
      server.latest.emit('message', delivery('m1', settled));
      expect(first.value).to.include({ id: 'm1', payload: '{"n":"m1"}' });
      expect(first.value.firstSeenAt.toISOString()).to.equal('2030-01-01T00:00:00.000Z');
      await first.value.release();
      expect(settled).to.deep.equal(['nack m1', 'nack m1']);
    });

    it('acknowledges a redelivery of an acknowledged message without handing it out again', async () => {
      const messages = source.messages()[Symbol.asyncIterator]();
      server.latest.emit('message', delivery('m1', settled));
      await (await messages.next()).value.ack();
      server.latest.emit('message', delivery('m1', settled));
      server.latest.emit('message', delivery('m2', settled));
      expect((await messages.next()).value.id).to.equal('m2');
      expect(settled).to.deep.equal(['ack m1', 'ack m1']);
    });

    it('hands back messages not yet handed out when it stops, and ends the iteration', async () => {
      const messages = source.messages()[Symbol.asyncIterator]();
      server.latest.emit('message', delivery('m1', settled));
      server.latest.emit('message', delivery('m2', settled));
      const first = await messages.next();
      await source.stop();
      expect(settled).to.deep.equal(['nack m2']);
      expect(server.latest.closed).to.equal(true);
      expect((await messages.next()).done).to.equal(true);
      await first.value.ack();
      expect(settled).to.deep.equal(['nack m2', 'ack m1']);
    });

    it('takes a message with the id of an acknowledged one but another publish time for a new one', async () => {
      // An emulator that restarted numbers its messages from 1 again.
      const messages = source.messages()[Symbol.asyncIterator]();
      server.latest.emit('message', delivery('1', settled));
      await (await messages.next()).value.ack();
      server.latest.emit('message', { ...delivery('1', settled), publishTime: new Date('2030-01-01T00:05:00Z') });
      const next = (await messages.next()).value;
      expect(next).to.include({ id: '1' });
      expect(next.firstSeenAt.toISOString()).to.equal('2030-01-01T00:05:00.000Z');
    });

    it('forgets the oldest acknowledged ids beyond rememberedAcks', async () => {
      await source.stop();
      source = sourceOn(server, logger, {}, 1);
      await source.start();
      const messages = source.messages()[Symbol.asyncIterator]();
      for (const id of ['m1', 'm2']) {
        server.latest.emit('message', delivery(id, settled));
        await (await messages.next()).value.ack();
      }
      server.latest.emit('message', delivery('m1', settled));
      expect((await messages.next()).value.id).to.equal('m1');
    });
  });

  describe('reconnection', () => {
    it('is connected once started, and a stream that ends on a reachable Pub/Sub costs nothing', async () => {
      expect(source.health()).to.deep.equal({ connected: true, reconnects: 0 });
      server.latest.emit('debug', { message: 'Subscriber stream 0 has ended with status 14; will be retried.' });
      await eventually('the check', () => server.checks.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(source.health()).to.deep.equal({ connected: true, reconnects: 0 });
      // One attempt with a deadline, not the client's minute of retries.
      expect(server.checks[0]).to.deep.equal({ timeout: 100, retry: null });
      expect(logger.at('warn')).to.deep.equal([]);
    });

    it('is not connected while checks fail after a stream ended, and connected again once one passes', async () => {
      server.failure = unavailable();
      server.latest.emit('debug', { message: 'Subscriber stream 0 has ended with status 14; will be retried.' });
      await eventually('the loss', () => !source.health().connected);
      expect(source.health().reason).to.contain('UNAVAILABLE');
      await eventually('more checks', () => server.checks.length >= 3);
      server.failure = undefined;
      await eventually('the reconnection', () => source.health().connected);
      expect(source.health()).to.deep.equal({ connected: true, reconnects: 1 });
      // The client still holds the stream: the same subscription object goes on.
      expect(server.subscriptions).to.have.length(1);
      expect(logger.at('warn').map((line) => line.message)).to.deep.equal([
        'Pub/Sub subscription projects/p/subscriptions/s lost; reconnecting',
      ]);
      expect(logger.at('info').map((line) => line.message)).to.include('Pub/Sub subscription projects/p/subscriptions/s reconnected');
    });

    it('replaces a subscription the client gave up by a fresh one once a check passes, and receives through it', async () => {
      const messages = source.messages()[Symbol.asyncIterator]();
      const first = server.latest;
      first.emit('message', delivery('m1', settled));
      server.failure = Object.assign(new Error('5 NOT_FOUND: Subscription does not exist'), { code: 5 });
      first.emit('error', server.failure);
      first.emit('close');
      expect(source.health()).to.include({ connected: false, reason: '5 NOT_FOUND: Subscription does not exist' });
      expect(first.listenerCount('message')).to.equal(0);
      // A message queued before still reaches the pipeline; it is not dropped with the object.
      expect((await messages.next()).value.id).to.equal('m1');
      await eventually('a failed check', () => server.checks.length >= 2);
      server.failure = undefined;
      await eventually('the reconnection', () => source.health().connected);
      expect(server.subscriptions.length).to.be.greaterThan(1);
      server.latest.emit('message', delivery('m2', settled));
      expect((await messages.next()).value.id).to.equal('m2');
      // The given-up object may still talk; nothing it says counts any more.
      first.emit('error', new Error('late'));
      first.emit('close');
      expect(source.health()).to.deep.equal({ connected: true, reconnects: 1 });
    });

    it('fails for good once lost for longer than the budget, ending the iteration with the failure', async () => {
      await source.stop();
      source = sourceOn(server, logger, { budgetMs: 60 });
      await source.start();
      const messages = source.messages()[Symbol.asyncIterator]();
      const next = messages.next();
      server.failure = unavailable();
      server.latest.emit('error', server.failure);
      const failure = await next.then(
        () => undefined,
        (error: Error) => error,
      );
      expect(failure?.message)
        .to.match(/^Pub\/Sub subscription projects\/p\/subscriptions\/s unreachable for \d+ ms, beyond the reconnect budget of 60 ms: /)
        .and.contain('UNAVAILABLE');
      expect(source.health()).to.include({ connected: false, failure: failure?.message });
      const checks = server.checks.length;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.checks.length, 'no more checks').to.equal(checks);
      expect(logger.at('error').map((line) => line.message)).to.deep.equal([
        'Pub/Sub subscription projects/p/subscriptions/s lost for good; no more run events are received',
      ]);
    });

    it('checks a connected subscription every checkIntervalMs, to notice a stream that died without a word', async () => {
      await source.stop();
      source = sourceOn(server, logger, { checkIntervalMs: 20 });
      await source.start();
      server.failure = unavailable();
      await eventually('the loss', () => !source.health().connected, 1000);
    });
  });
});
