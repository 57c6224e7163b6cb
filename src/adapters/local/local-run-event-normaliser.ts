import { completedOrInvalid, type EventNormalisation, invalidEvent } from '../../domain/event-normalisation.js';
import type { RunCompletionEvent } from '../../domain/run-completion-event.js';
import type { RunEventNormaliser } from '../../ports/run-event-normaliser.js';

function looksLikeEvent(payload: unknown): payload is RunCompletionEvent {
  const candidate = payload as Partial<RunCompletionEvent> | undefined;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.runId === 'string' && typeof candidate.status === 'string';
}

/**
 * The local provider publishes finished runs already in domain form; normalising only checks
 * that the operator could accept them.
 */
export class LocalRunEventNormaliser implements RunEventNormaliser {
  async normalise(payload: unknown): Promise<EventNormalisation> {
    return looksLikeEvent(payload) ? completedOrInvalid(payload) : invalidEvent('payload is not a local run completion');
  }
}
