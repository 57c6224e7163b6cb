import type { RunEventSource } from '../../ports/run-event-source.js';

/**
 * An event source the local provider can publish its finished runs into: the
 * `InMemoryRunEventSource`, or the durable `SqliteRunEventSource` of the local module.
 */
export interface PublishingRunEventSource extends RunEventSource {
  /** Adds an event under a new message id and returns that id. */
  publish(payload: unknown, id: string): string;
}
