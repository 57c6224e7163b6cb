import { InMemoryRunEventSource } from '../../src/adapters/memory/in-memory-run-event-source.js';
import type { RunEventMessage, RunEventSource, RunEventSourceHealth } from '../../src/ports/run-event-source.js';

/** An in-memory source that reports whatever health a test sets in {@link current}. */
export class HealthReportingSource implements RunEventSource {
  readonly inner = new InMemoryRunEventSource();
  current: RunEventSourceHealth = { connected: true, reconnects: 0 };

  start(): Promise<void> {
    return this.inner.start();
  }

  messages(): AsyncIterable<RunEventMessage> {
    return this.inner.messages();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  health(): RunEventSourceHealth {
    return this.current;
  }
}
