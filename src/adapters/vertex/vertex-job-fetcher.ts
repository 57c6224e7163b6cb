import type { google } from '@google-cloud/aiplatform/build/protos/protos.js';
import type { PipelineServiceClient } from '@google-cloud/aiplatform/build/src/v1/pipeline_service_client.js';
import type * as Gax from 'google-gax';
import type { VertexServiceGax } from './vertex-service-gax.js';

type ProtoPipelineJob = google.cloud.aiplatform.v1.IPipelineJob;

const pipelineService = 'google.cloud.aiplatform.v1.PipelineService';

/**
 * Fetches the job of a full resource name (`{parent}/pipelineJobs/{id}`) within `timeoutMs` when
 * given. The job is decoded with enums and 64-bit integers as strings and without defaults: a
 * field Vertex AI left unset is absent.
 */
export type PipelineJobFetcher = (name: string, timeoutMs?: number) => Promise<ProtoPipelineJob>;

/**
 * GetPipelineJob straight on the gRPC stub the generated client built, so on its channel and
 * credentials, with its routing header and the caller's deadline, but without the call wrapping of
 * google-gax (call settings merged per call, retry machinery, promise and error wrappers, request
 * logging). Each run event costs one GetPipelineJob, and that wrapping made a drain of a backlog
 * about a fifth slower than a plain grpc-js client; create, update and delete calls, rare and
 * some of them long-running operations, keep the generated client.
 *
 * The answer is decoded here rather than by the stub: the stub's decoder fills in the default of
 * every unset field of the job and of each of its tasks and artifacts, garbage the completion
 * rules never read (they take an absent field as its default). Decoding without them cost 3–4%
 * less CPU per event in two sets of interleaved drains of a 4,000-message backlog.
 */
export async function pipelineJobFetcher(client: PipelineServiceClient, gax: VertexServiceGax): Promise<PipelineJobFetcher> {
  const stub = (await client.initialize()) as unknown as Gax.grpc.Client;
  const method = gax.serviceRoot().lookupService(pipelineService).methods['GetPipelineJob'];
  if (!method?.resolvedRequestType || !method.resolvedResponseType) throw new Error(`${pipelineService} has no resolved GetPipelineJob`);
  const path = `/${pipelineService}/${method.name}`;
  const { resolvedRequestType: requestType, resolvedResponseType: jobType } = method;
  const serialize = (request: { name: string }): Buffer => {
    const bytes = requestType.encode(request).finish();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
  const deserialize = (bytes: Buffer): ProtoPipelineJob => jobType.toObject(jobType.decode(bytes), { longs: String, enums: String });
  return (name, timeoutMs) =>
    new Promise((resolve, reject) => {
      const metadata = new gax.grpc.Metadata();
      metadata.set('x-goog-request-params', `name=${encodeURIComponent(name)}`);
      const options = timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs };
      stub.makeUnaryRequest(path, serialize, deserialize, { name }, metadata, options, (error, job) =>
        error ? reject(error) : resolve(job ?? {}),
      );
    });
}
