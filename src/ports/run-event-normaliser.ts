import type { EventNormalisation } from '../domain/event-normalisation.js';

/**
 * Turns a source's raw payload into a run completion, fetching what the payload only refers to
 * (a Vertex job, a KFP run, ML Metadata artifacts). Decisions come back as values; a thrown error
 * means "could not decide now" and the pipeline retries later.
 */
export interface RunEventNormaliser {
  /** Normalises one payload. */
  normalise(payload: unknown): Promise<EventNormalisation>;
}

/** Injection token of {@link RunEventNormaliser}. */
export const RunEventNormaliser = Symbol.for('kfp-provider-service.RunEventNormaliser');
