import { type RunCompletionEvent, toRunCompletionEventData } from '../../domain/run-completion-event.js';
import type { Logger } from '../../ports/logger.js';
import type { DeliveryOutcome, RunCompletionSink } from '../../ports/run-completion-sink.js';

/**
 * The sink used when no `OPERATORWEBHOOK` is configured: every event is written to the log as
 * the webhook would have received it, which is what a local run without an operator wants.
 */
export class LoggingRunCompletionSink implements RunCompletionSink {
  constructor(private readonly logger: Logger) {}

  async deliver(event: RunCompletionEvent): Promise<DeliveryOutcome> {
    this.logger.info('run completion event (no OPERATORWEBHOOK configured)', { event: toRunCompletionEventData(event) });
    return { kind: 'logged' };
  }
}
