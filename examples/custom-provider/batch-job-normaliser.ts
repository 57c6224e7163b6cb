import {
  completedOrInvalid,
  type EventNormalisation,
  ignoreEvent,
  invalidEvent,
  type NamespacedName,
  parseNamespacedName,
  type RunEventNormaliser,
} from '../../src/index.js';
import type { BatchJobEvent } from './batch-queue-provider.js';

function isBatchJobEvent(payload: unknown): payload is BatchJobEvent {
  const event = payload as Partial<BatchJobEvent> | undefined;
  return typeof event?.jobId === 'string' && typeof event.state === 'string' && typeof event.labels === 'object';
}

/**
 * Turns the batch system's job events into run completions: running jobs are ignored,
 * malformed events are invalid (logged and dropped, never retried), finished jobs complete.
 */
export class BatchJobNormaliser implements RunEventNormaliser {
  constructor(private readonly provider: NamespacedName) {}

  async normalise(payload: unknown): Promise<EventNormalisation> {
    if (!isBatchJobEvent(payload)) return invalidEvent('not a batch job event');
    if (payload.state === 'RUNNING') return ignoreEvent(`job ${payload.jobId} is still running`);
    return completedOrInvalid({
      status: payload.state === 'DONE' ? 'succeeded' : 'failed',
      pipelineName: parseNamespacedName(payload.labels.pipeline),
      runName: parseNamespacedName(payload.labels.run),
      runConfigurationName: parseNamespacedName(payload.labels.runConfiguration),
      runId: payload.jobId,
      runStartTime: new Date(payload.startedAt),
      ...(payload.finishedAt ? { runEndTime: new Date(payload.finishedAt) } : {}),
      pipelineComponents: [],
      provider: this.provider,
    });
  }
}
