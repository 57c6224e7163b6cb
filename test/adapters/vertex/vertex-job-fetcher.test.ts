import { PipelineServiceClient } from '@google-cloud/aiplatform/build/src/v1/pipeline_service_client.js';
import { expect } from 'chai';
import * as gax from 'google-gax';
import { type PipelineJobFetcher, pipelineJobFetcher } from '../../../src/adapters/vertex/vertex-job-fetcher.js';
import { reportOfProtoPipelineJob } from '../../../src/adapters/vertex/vertex-proto-mapping.js';
import { vertexServiceGax } from '../../../src/adapters/vertex/vertex-service-gax.js';
import { FakeVertexServer } from '../../support/fake-vertex-server.js';
import { finishedJob, vertexParent } from './vertex-log-entries.js';

const jobId = 'run-1';
const jobName = `${vertexParent}/pipelineJobs/${jobId}`;

describe('pipelineJobFetcher: GetPipelineJob on the generated client’s stub, over gRPC to a fake Vertex AI', () => {
  let vertex: FakeVertexServer;
  let client: PipelineServiceClient;
  let fetchJob: PipelineJobFetcher;

  before(async () => {
    vertex = await new FakeVertexServer().start();
    const port = Number(new URL(vertex.endpoint).port);
    const serviceGax = vertexServiceGax(gax);
    const options = { apiEndpoint: '127.0.0.1', port, universeDomain: 'googleapis.com', sslCreds: gax.grpc.credentials.createInsecure() };
    client = new PipelineServiceClient(options, serviceGax);
    fetchJob = await pipelineJobFetcher(client, serviceGax);
  });

  after(async () => {
    await client?.close();
    await vertex?.stop();
  });

  it('decodes enums and 64-bit integers as strings, and leaves out every field Vertex AI did not set', async () => {
    vertex.jobs.set(jobName, finishedJob(jobId));
    const job = await fetchJob(jobName);
    expect(job.state).to.equal('PIPELINE_STATE_SUCCEEDED');
    expect(job.startTime).to.deep.equal({ seconds: '1900000000', nanos: 500_000_000 });
    expect(job).not.to.have.any.keys('displayName', 'pipelineSpec', 'runtimeConfig', 'error', 'createTime');
    const [task] = job.jobDetail?.taskDetails ?? [];
    expect(task).not.to.have.any.keys('state', 'inputs', 'executorDetail', 'pipelineTaskStatus');
    expect(task?.outputs?.['model']?.artifacts?.[0]).to.deep.equal({
      uri: 'gs://pipeline-root/model',
      metadata: { fields: { accuracy: { numberValue: 0.9 }, tags: { listValue: { values: [{ stringValue: 'a' }] } } } },
    });
  });

  it('gives what the completion rules read', async () => {
    vertex.jobs.set(jobName, finishedJob(jobId));
    expect(reportOfProtoPipelineJob(await fetchJob(jobName))).to.deep.equal({
      state: 'PIPELINE_STATE_SUCCEEDED',
      labels: { 'pipeline-name': 'pipe', 'pipeline-namespace': 'team', 'run-name': jobId, 'run-namespace': 'team' },
      startTime: new Date(1_900_000_000_500),
      endTime: new Date(1_900_000_060_000),
      tasks: [
        {
          taskName: 'Trainer',
          outputs: [{ name: 'model', artifacts: [{ uri: 'gs://pipeline-root/model', metadata: { accuracy: 0.9, tags: ['a'] } }] }],
        },
      ],
    });
  });

  it('reads a job with nothing but its state', async () => {
    vertex.jobs.set(jobName, { name: jobName, state: 'PIPELINE_STATE_RUNNING' });
    expect(reportOfProtoPipelineJob(await fetchJob(jobName))).to.deep.equal({ state: 'PIPELINE_STATE_RUNNING', labels: {}, tasks: [] });
  });

  it('sends the routing header and the deadline', async () => {
    vertex.jobs.set(jobName, finishedJob(jobId));
    const before = Date.now();
    await fetchJob(jobName, 5_000);
    const call = vertex.calls.filter((received) => received.method === 'GetPipelineJob').at(-1)!;
    expect(call.request).to.include({ name: jobName });
    expect(call.metadata['x-goog-request-params']).to.equal(`name=${encodeURIComponent(jobName)}`);
    expect(call.deadline).to.be.within(before + 4_000, Date.now() + 5_000);
  });

  it('rejects with the gRPC status of a failed call', async () => {
    const missing = `${jobName}-missing`;
    const failure = await fetchJob(missing).then(
      () => undefined,
      (error: { code?: number; details?: string }) => error,
    );
    expect(failure?.code).to.equal(gax.grpc.status.NOT_FOUND);
    expect(failure?.details).to.contain(missing);
  });
});
