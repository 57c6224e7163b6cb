import { expect } from 'chai';
import { LocalRunEventNormaliser } from '../../src/adapters/local/local-run-event-normaliser.js';
import { LoggingRunCompletionSink } from '../../src/adapters/operator/logging-run-completion-sink.js';
import { RunEventAttempt } from '../../src/application/run-event-attempt.js';
import { type RunCompletionEvent, toRunCompletionEventData } from '../../src/domain/run-completion-event.js';
import type { WebhookSendResult } from '../../src/ports/event-pipeline-metrics.js';
import type { DeliveryOutcome, RunCompletionSink } from '../../src/ports/run-completion-sink.js';
import type { RunEventNormaliser } from '../../src/ports/run-event-normaliser.js';
import type { EventProcessingOutcome } from '../../src/ports/single-event-processor.js';
import { RunCompletionEventMother } from '../support/definition-mother.js';
import { type LogLine, RecordingLogger } from '../support/recording-logger.js';

/** A sink that answers what it is told (or throws), and keeps what it was given. */
class ScriptedSink implements RunCompletionSink {
  readonly received: RunCompletionEvent[] = [];

  constructor(private readonly answer: DeliveryOutcome | Error) {}

  async deliver(event: RunCompletionEvent): Promise<DeliveryOutcome> {
    this.received.push(event);
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
}

/** A normaliser for the decisions the local one never makes. */
function answering(decide: () => ReturnType<RunEventNormaliser['normalise']>): RunEventNormaliser {
  return { normalise: decide };
}

interface Case {
  readonly why: string;
  readonly normaliser: RunEventNormaliser;
  readonly payload: unknown;
  readonly sinkAnswer?: DeliveryOutcome | Error;
  readonly outcome: EventProcessingOutcome;
  readonly sent: boolean;
  readonly counted: WebhookSendResult[];
  readonly logged: Pick<LogLine, 'level' | 'message'>;
}

const local = new LocalRunEventNormaliser();
const event = RunCompletionEventMother.valid({ runId: 'attempt-1' });

const cases: Case[] = [
  {
    why: 'a completion the sink takes',
    normaliser: local,
    payload: event,
    outcome: 'delivered',
    sent: true,
    counted: ['Success'],
    logged: { level: 'info', message: 'run completion delivered' },
  },
  {
    why: 'a completion the operator rejects',
    normaliser: local,
    payload: event,
    sinkAnswer: { kind: 'rejected', reason: 'HTTP 410' },
    outcome: 'rejected',
    sent: true,
    counted: ['UnrecoverableFailure'],
    logged: { level: 'error', message: 'run completion rejected by the operator; dropped' },
  },
  {
    why: 'a completion whose delivery fails',
    normaliser: local,
    payload: event,
    sinkAnswer: { kind: 'retry', reason: 'HTTP 503' },
    outcome: 'retry',
    sent: true,
    counted: ['RecoverableFailure'],
    logged: { level: 'warn', message: 'run completion delivery failed; retrying later' },
  },
  {
    why: 'a completion whose sink throws',
    normaliser: local,
    payload: event,
    sinkAnswer: new Error('socket exploded'),
    outcome: 'retry',
    sent: true,
    counted: ['RecoverableFailure'],
    logged: { level: 'warn', message: 'run completion delivery failed; retrying later' },
  },
  {
    why: 'a malformed payload',
    normaliser: local,
    payload: { hello: 'world' },
    outcome: 'invalid',
    sent: false,
    counted: ['Discarded'],
    logged: { level: 'warn', message: 'run event is malformed; dropped' },
  },
  {
    why: 'a payload that is not a completion',
    normaliser: answering(async () => ({ kind: 'ignore', reason: 'not ours' })),
    payload: {},
    outcome: 'ignored',
    sent: false,
    counted: [],
    logged: { level: 'debug', message: 'run event ignored' },
  },
  {
    why: 'a run that is not final yet',
    normaliser: answering(async () => ({ kind: 'pending', reason: 'the job is still running' })),
    payload: {},
    outcome: 'pending',
    sent: false,
    counted: [],
    logged: { level: 'info', message: 'run event not final yet; retrying later' },
  },
  {
    why: 'a normaliser that cannot decide now (a backend call failed)',
    normaliser: answering(async () => {
      throw new Error('Vertex AI unavailable');
    }),
    payload: {},
    outcome: 'retry',
    sent: false,
    counted: [],
    logged: { level: 'warn', message: 'run event could not be normalised now; retrying later' },
  },
];

describe('run event attempt', () => {
  for (const entry of cases) {
    it(`answers ${entry.outcome} for ${entry.why}, counting ${entry.counted.join(', ') || 'nothing'} and logging at ${entry.logged.level}`, async () => {
      const sink = new ScriptedSink(entry.sinkAnswer ?? { kind: 'delivered' });
      const counted: WebhookSendResult[] = [];
      const logger = new RecordingLogger();
      const attempt = new RunEventAttempt({
        normaliser: entry.normaliser,
        sink,
        metrics: { countSendResult: (result) => counted.push(result) },
        logger,
      });
      expect(await attempt.processOnce(entry.payload, 'message-1')).to.equal(entry.outcome);
      expect(sink.received).to.deep.equal(entry.sent ? [event] : []);
      expect(counted).to.deep.equal(entry.counted);
      expect(logger.lines.map(({ level, message }) => ({ level, message }))).to.deep.equal([entry.logged]);
      expect(logger.lines[0]!.fields['messageId']).to.equal('message-1');
    });
  }

  it('logs a rejected completion whole, as the webhook would have received it', async () => {
    const logger = new RecordingLogger();
    const attempt = new RunEventAttempt({
      normaliser: local,
      sink: new ScriptedSink({ kind: 'rejected', reason: 'HTTP 400' }),
      metrics: { countSendResult: () => undefined },
      logger,
    });
    await attempt.processOnce(event, 'message-2');
    expect(logger.at('error')[0]!.fields).to.deep.include({ reason: 'HTTP 400', event: toRunCompletionEventData(event) });
  });

  it('gives the reason of a pending run in its log line', async () => {
    const logger = new RecordingLogger();
    const attempt = new RunEventAttempt({
      normaliser: answering(async () => ({
        kind: 'pending',
        reason: 'pipeline job j has not finished yet (state PIPELINE_STATE_RUNNING)',
      })),
      sink: new ScriptedSink({ kind: 'delivered' }),
      metrics: { countSendResult: () => undefined },
      logger,
    });
    await attempt.processOnce({}, 'message-3');
    expect(logger.at('info')[0]!.fields['reason']).to.equal('pipeline job j has not finished yet (state PIPELINE_STATE_RUNNING)');
  });

  it('makes exactly one attempt: a failing delivery is not repeated', async () => {
    const sink = new ScriptedSink({ kind: 'retry', reason: 'HTTP 500' });
    const attempt = new RunEventAttempt({
      normaliser: local,
      sink,
      metrics: { countSendResult: () => undefined },
      logger: new RecordingLogger(),
    });
    expect(await attempt.processOnce(event, 'message-4')).to.equal('retry');
    expect(sink.received).to.have.length(1);
  });

  it('counts no webhook send for an event only written to the log (no OPERATORWEBHOOK)', async () => {
    const counted: WebhookSendResult[] = [];
    const sinkLogger = new RecordingLogger();
    const attempt = new RunEventAttempt({
      normaliser: local,
      sink: new LoggingRunCompletionSink(sinkLogger),
      metrics: { countSendResult: (result) => counted.push(result) },
      logger: new RecordingLogger(),
    });
    expect(await attempt.processOnce(event, 'message-5')).to.equal('delivered');
    expect(counted).to.deep.equal([]);
    expect(sinkLogger.at('info')[0]!.fields['event']).to.deep.equal(toRunCompletionEventData(event));
  });
});
