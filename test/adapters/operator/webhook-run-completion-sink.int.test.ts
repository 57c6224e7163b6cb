import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { expect } from 'chai';
import { LoggingRunCompletionSink } from '../../../src/adapters/operator/logging-run-completion-sink.js';
import { WebhookRunCompletionSink } from '../../../src/adapters/operator/webhook-run-completion-sink.js';
import { toRunCompletionEventData } from '../../../src/domain/run-completion-event.js';
import { RecordingWebhookReceiver, type ScriptedAnswer } from '../../../src/testing/recording-webhook-receiver.js';
import { RunCompletionEventMother } from '../../support/definition-mother.js';
import { freePort } from '../../support/eventually.js';
import { RecordingLogger } from '../../support/recording-logger.js';

describe('webhook run completion sink', () => {
  let receiver: RecordingWebhookReceiver;
  beforeEach(async () => {
    receiver = await new RecordingWebhookReceiver().start();
  });
  afterEach(async () => {
    await receiver.stop();
  });

  const outcomes: Array<{ answer: ScriptedAnswer; kind: string; reason?: string }> = [
    { answer: 200, kind: 'delivered' },
    { answer: 410, kind: 'rejected', reason: 'webhook answered 410: status 410' },
    { answer: 400, kind: 'rejected', reason: 'webhook answered 400' },
    { answer: 415, kind: 'rejected', reason: 'webhook answered 415' },
    { answer: 500, kind: 'retry', reason: 'webhook answered 500' },
    { answer: 502, kind: 'retry', reason: 'webhook answered 502' },
    { answer: 404, kind: 'retry', reason: 'webhook answered 404' },
    { answer: 204, kind: 'retry', reason: 'webhook answered 204' },
    { answer: 'hang', kind: 'retry', reason: 'no answer within 100 ms' },
    { answer: 'close', kind: 'retry', reason: 'webhook unreachable' },
  ];
  for (const { answer, kind, reason } of outcomes) {
    it(`maps the answer ${answer} to ${kind}`, async () => {
      receiver.answerWith(answer);
      const outcome = await new WebhookRunCompletionSink({ url: receiver.url, timeoutMs: 100 }).deliver(RunCompletionEventMother.valid());
      expect(outcome.kind).to.equal(kind);
      if (reason) expect((outcome as { reason: string }).reason).to.include(reason);
      expect(receiver.requests).to.have.length(1);
    });
  }

  it('posts the rendered event as exactly application/json', async () => {
    const event = RunCompletionEventMother.valid();
    await new WebhookRunCompletionSink({ url: new URL(receiver.url), timeoutMs: 1000 }).deliver(event);
    const [request] = receiver.requests;
    expect(request!.method).to.equal('POST');
    expect(request!.headers['content-type']).to.equal('application/json');
    expect(request!.text).to.equal(JSON.stringify(toRunCompletionEventData(event)));
  });

  it('answers retry when nothing listens', async () => {
    const port = await freePort();
    const outcome = await new WebhookRunCompletionSink({ url: `http://127.0.0.1:${port}/events`, timeoutMs: 1000 }).deliver(
      RunCompletionEventMother.valid(),
    );
    expect(outcome.kind).to.equal('retry');
    expect((outcome as { reason: string }).reason).to.include('webhook unreachable');
  });

  it('times the whole exchange out, an answer that trickles in included', async () => {
    const sockets = new Set<Socket>();
    const trickling = createServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'text/plain' });
      const drip = setInterval(() => response.write('.'), 20);
      response.once('close', () => clearInterval(drip));
    });
    trickling.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => trickling.listen(0, '127.0.0.1', resolve));
    const sink = new WebhookRunCompletionSink({
      url: `http://127.0.0.1:${(trickling.address() as AddressInfo).port}/events`,
      timeoutMs: 150,
    });
    try {
      const started = performance.now();
      const outcome = await sink.deliver(RunCompletionEventMother.valid());
      expect(outcome).to.deep.equal({ kind: 'retry', reason: 'webhook unreachable: no answer within 150 ms' });
      expect(performance.now() - started).to.be.below(1000);
    } finally {
      sink.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => trickling.close(resolve));
    }
  });

  it('refuses a timeout that is not positive', () => {
    expect(() => new WebhookRunCompletionSink({ url: receiver.url, timeoutMs: 0 })).to.throw(RangeError);
  });
});

describe('logging run completion sink', () => {
  it('logs the event as the webhook would receive it and counts it delivered', async () => {
    const logger = new RecordingLogger();
    const event = RunCompletionEventMother.valid();
    expect(await new LoggingRunCompletionSink(logger).deliver(event)).to.deep.equal({ kind: 'logged' });
    expect(logger.at('info')).to.have.length(1);
    expect(logger.at('info')[0]!.fields['event']).to.deep.equal(toRunCompletionEventData(event));
  });
});
