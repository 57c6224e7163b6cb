import type { RunCompletionStatus } from './run-completion-event.js';

/**
 * Maps a Vertex AI pipeline job state to a completion status; `undefined` means the job has not
 * finished and no event may be sent.
 */
export function statusOfVertexJobState(state: string): RunCompletionStatus | undefined {
  switch (state) {
    case 'PIPELINE_STATE_SUCCEEDED':
      return 'succeeded';
    case 'PIPELINE_STATE_FAILED':
    case 'PIPELINE_STATE_CANCELLED':
      return 'failed';
    default:
      return undefined;
  }
}

/**
 * Maps an Argo Workflow phase to a completion status; `undefined` means the workflow has not
 * finished (Pending, Running, or no phase yet).
 */
export function statusOfArgoWorkflowPhase(phase: string): RunCompletionStatus | undefined {
  switch (phase) {
    case 'Succeeded':
      return 'succeeded';
    case 'Failed':
    case 'Error':
      return 'failed';
    default:
      return undefined;
  }
}
