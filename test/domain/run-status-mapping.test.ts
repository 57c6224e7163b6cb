import { expect } from 'chai';
import { statusOfArgoWorkflowPhase, statusOfVertexJobState } from '../../src/domain/run-status-mapping.js';

describe('run status mapping', () => {
  const vertex = [
    ['PIPELINE_STATE_SUCCEEDED', 'succeeded'],
    ['PIPELINE_STATE_FAILED', 'failed'],
    ['PIPELINE_STATE_CANCELLED', 'failed'],
    ['PIPELINE_STATE_RUNNING', undefined],
    ['PIPELINE_STATE_CANCELLING', undefined],
    ['PIPELINE_STATE_PENDING', undefined],
    ['PIPELINE_STATE_QUEUED', undefined],
    ['PIPELINE_STATE_PAUSED', undefined],
    ['PIPELINE_STATE_UNSPECIFIED', undefined],
    ['', undefined],
  ] as const;
  for (const [state, expected] of vertex) {
    it(`maps Vertex state "${state}" to ${String(expected)}`, () => {
      expect(statusOfVertexJobState(state)).to.equal(expected);
    });
  }

  const argo = [
    ['Succeeded', 'succeeded'],
    ['Failed', 'failed'],
    ['Error', 'failed'],
    ['Running', undefined],
    ['Pending', undefined],
    ['', undefined],
    ['succeeded', undefined],
  ] as const;
  for (const [phase, expected] of argo) {
    it(`maps Argo phase "${phase}" to ${String(expected)}`, () => {
      expect(statusOfArgoWorkflowPhase(phase)).to.equal(expected);
    });
  }
});
