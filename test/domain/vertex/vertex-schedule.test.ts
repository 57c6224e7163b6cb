import { expect } from 'chai';
import { parseCron } from '../../../src/domain/cron.js';
import { InvalidInputError } from '../../../src/domain/errors.js';
import { readCompiledPipeline } from '../../../src/domain/vertex/compiled-pipeline.js';
import { buildVertexPipelineJob } from '../../../src/domain/vertex/vertex-pipeline-job.js';
import { buildVertexSchedule, checkVertexScheduleName, vertexScheduleUpdateMask } from '../../../src/domain/vertex/vertex-schedule.js';
import { aKfpSpec, aRunSchedule } from './vertex-definitions-mother.js';

describe('vertex schedule', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const job = buildVertexPipelineJob(aRunSchedule(), {}, readCompiledPipeline(aKfpSpec(), 'p'), {
    pipelineBucket: 'b',
    pipelineRootStorage: 'gs://r',
    serviceAccount: '',
    pscNetworkAttachment: '',
  });
  const past = new Date('2029-12-31T23:59:59Z');
  const future = new Date('2030-01-01T00:00:01Z');

  const cases: Array<{ name: string; schedule: { startTime?: Date; endTime?: Date }; start?: Date; end?: Date; mask: string[] }> = [
    { name: 'no bounds', schedule: {}, mask: [] },
    { name: 'a future start is kept', schedule: { startTime: future }, start: future, mask: ['start_time'] },
    { name: 'a past start is dropped', schedule: { startTime: past }, mask: [] },
    { name: 'a start equal to now is dropped', schedule: { startTime: now }, mask: [] },
    { name: 'a past end is still sent', schedule: { endTime: past }, end: past, mask: ['end_time'] },
    {
      name: 'both bounds in the future',
      schedule: { startTime: future, endTime: future },
      start: future,
      end: future,
      mask: ['start_time', 'end_time'],
    },
  ];
  for (const { name, schedule, start, end, mask } of cases) {
    it(name, () => {
      const definition = aRunSchedule({ schedule: { cron: parseCron('0 0 3 * * *'), ...schedule } });
      const built = buildVertexSchedule(definition, job, 7, now);
      expect(built).to.deep.equal({
        displayName: 'rc-team-nightly',
        cron: '0 3 * * *',
        maxConcurrentRunCount: 7,
        allowQueueing: true,
        ...(start ? { startTime: start } : {}),
        ...(end ? { endTime: end } : {}),
        job,
      });
      expect(vertexScheduleUpdateMask(built)).to.deep.equal([
        'display_name',
        'cron',
        'max_concurrent_run_count',
        'allow_queueing',
        'create_pipeline_job_request',
        ...mask,
      ]);
    });
  }

  it('names a schedule without a namespace rc-{name}', () => {
    const definition = aRunSchedule({ name: { namespace: '', name: 'solo' } });
    expect(buildVertexSchedule(definition, job, 10, now).displayName).to.equal('rc-solo');
  });

  it('accepts a full schedule resource name as id', () => {
    expect(() => checkVertexScheduleName('projects/p/locations/l/schedules/123')).not.to.throw();
  });

  for (const id of [
    '',
    '123',
    'projects/p/locations/l/schedules/',
    'projects/p/locations/l/pipelineJobs/1',
    'projects/p/locations/l/schedules/1/x',
  ]) {
    it(`rejects schedule id "${id}"`, () => {
      expect(() => checkVertexScheduleName(id)).to.throw(InvalidInputError);
    });
  }
});
