import type { EventNormalisation } from '../domain/event-normalisation.js';
import { type RunCompletionEvent, toRunCompletionEventData } from '../domain/run-completion-event.js';
import type { EventPipelineMetrics } from '../ports/event-pipeline-metrics.js';
import type { Logger } from '../ports/logger.js';
import type { DeliveryOutcome, RunCompletionSink } from '../ports/run-completion-sink.js';
import type { RunEventNormaliser } from '../ports/run-event-normaliser.js';
import type { EventProcessingOutcome, SingleEventProcessor } from '../ports/single-event-processor.js';

/** What a {@link RunEventAttempt} is built from. */
export interface RunEventAttemptDependencies {
  readonly normaliser: RunEventNormaliser;
  readonly sink: RunCompletionSink;
  /** Counts each webhook result; the other pipeline metrics belong to the pipeline. */
  readonly metrics: Pick<EventPipelineMetrics, 'countSendResult'>;
  readonly logger: Logger;
}

/**
 * One attempt at one run event: normalise the payload, deliver a completion to the sink, count
 * the result and log it, and answer how it ended. It never retries and never settles a message;
 * the event pipeline does both around it, and relays turn its answer into their reply.
 */
export class RunEventAttempt implements SingleEventProcessor {
  readonly #deps: RunEventAttemptDependencies;

  constructor(deps: RunEventAttemptDependencies) {
    this.#deps = deps;
  }

  async processOnce(payload: unknown, id: string): Promise<EventProcessingOutcome> {
    const { normaliser, metrics, logger } = this.#deps;
    let normalised: EventNormalisation;
    try {
      normalised = await normaliser.normalise(payload);
    } catch (error) {
      logger.warn('run event could not be normalised now; retrying later', { messageId: id, error: String(error) });
      return 'retry';
    }
    switch (normalised.kind) {
      case 'ignore':
        logger.debug('run event ignored', { messageId: id, reason: normalised.reason });
        return 'ignored';
      case 'pending':
        // Info, not warn: nothing of ours or of the backend failed, the run is just not over yet,
        // and a warning per backoff step would alert on healthy traffic. Not debug either: an
        // event that stays pending up to the maximum age is dropped, and these lines say why.
        logger.info('run event not final yet; retrying later', { messageId: id, reason: normalised.reason });
        return 'pending';
      case 'invalid':
        metrics.countSendResult('Discarded');
        logger.warn('run event is malformed; dropped', { messageId: id, reason: normalised.reason, payload });
        return 'invalid';
      case 'completed':
        return this.#deliver(normalised.event, id);
    }
  }

  async #deliver(event: RunCompletionEvent, id: string): Promise<EventProcessingOutcome> {
    const { sink, metrics, logger } = this.#deps;
    let outcome: DeliveryOutcome;
    try {
      outcome = await sink.deliver(event);
    } catch (error) {
      // The port asks sinks to answer `retry` rather than throw; a sink that throws anyway
      // (a library user's own) must not strand the message.
      outcome = { kind: 'retry', reason: `the sink failed: ${String(error)}` };
    }
    switch (outcome.kind) {
      case 'delivered':
        metrics.countSendResult('Success');
        logger.info('run completion delivered', { messageId: id, runId: event.runId, status: event.status });
        return 'delivered';
      case 'logged':
        // Not a webhook send: counting it as Success would show deliveries that never happened.
        return 'delivered';
      case 'rejected':
        metrics.countSendResult('UnrecoverableFailure');
        // Only a dropped event is logged whole, as the webhook would have received it.
        logger.error('run completion rejected by the operator; dropped', {
          messageId: id,
          reason: outcome.reason,
          event: toRunCompletionEventData(event),
        });
        return 'rejected';
      case 'retry':
        metrics.countSendResult('RecoverableFailure');
        logger.warn('run completion delivery failed; retrying later', { messageId: id, reason: outcome.reason, runId: event.runId });
        return 'retry';
    }
  }
}
