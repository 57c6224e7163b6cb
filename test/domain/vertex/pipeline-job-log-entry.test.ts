import { expect } from 'chai';
import { decodePipelineJobLogEntry } from '../../../src/domain/vertex/pipeline-job-log-entry.js';

describe('pipeline job log entry decoding', () => {
  const entry = {
    resource: { type: 'aiplatform.googleapis.com/PipelineJob', labels: { pipeline_job_id: 'ns-run-abc', location: 'europe-west2' } },
    jsonPayload: { state: 'PIPELINE_STATE_SUCCEEDED' },
  };

  it('reads the job id from JSON text', () => {
    expect(decodePipelineJobLogEntry(JSON.stringify(entry))).to.deep.equal({ kind: 'job', jobId: 'ns-run-abc' });
  });

  it('reads the job id from a parsed entry', () => {
    expect(decodePipelineJobLogEntry(entry)).to.deep.equal({ kind: 'job', jobId: 'ns-run-abc' });
  });

  const invalid: Array<[string, unknown, RegExp]> = [
    ['text that is not JSON', '{"resource":', /not JSON/],
    ['a JSON array', '[1]', /not a JSON object/],
    ['a JSON string', '"x"', /not a JSON object/],
    ['no resource', '{}', /pipeline_job_id/],
    ['no labels', { resource: {} }, /pipeline_job_id/],
    ['a numeric job id', { resource: { labels: { pipeline_job_id: 5 } } }, /pipeline_job_id/],
    ['an empty job id', { resource: { labels: { pipeline_job_id: '' } } }, /pipeline_job_id/],
    ['undefined', undefined, /not a JSON object/],
  ];
  for (const [name, payload, reason] of invalid) {
    it(`marks ${name} invalid`, () => {
      const decoded = decodePipelineJobLogEntry(payload);
      expect(decoded.kind).to.equal('invalid');
      expect(decoded).to.have.property('reason').that.matches(reason);
    });
  }
});
