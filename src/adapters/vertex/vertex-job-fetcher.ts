import type { google } from '@google-cloud/aiplatform/build/protos/protos.js';
import type { PipelineServiceClient } from '@google-cloud/aiplatform/build/src/v1/pipeline_service_client.js';
import type * as Gax from 'google-gax';

type ProtoPipelineJob = google.cloud.aiplatform.v1.IPipelineJob;
type Callback = (error: Gax.grpc.ServiceError | null, job?: ProtoPipelineJob) => void;

/** The gRPC stub method the generated client wraps; only this one is called directly. */
interface PipelineServiceStub {
  getPipelineJob(request: { name: string }, metadata: Gax.grpc.Metadata, options: Gax.grpc.CallOptions, callback: Callback): unknown;
}

/**
 * Fetches the job of a full resource name (`{parent}/pipelineJobs/{id}`), decoded as the generated
 * client decodes it, within `timeoutMs` when given.
 */
export type PipelineJobFetcher = (name: string, timeoutMs?: number) => Promise<ProtoPipelineJob>;

/**
 * GetPipelineJob straight on the gRPC stub the generated client built, so on its channel and
 * credentials, with its routing header and the caller's deadline, but without the call wrapping of
 * google-gax (call settings merged per call, retry machinery, promise and error wrappers, request
 * logging). Each run event costs one GetPipelineJob, and that wrapping made a drain of a backlog
 * about a fifth slower than a plain grpc-js client; create, update and delete calls, rare and
 * some of them long-running operations, keep the generated client.
 */
export async function pipelineJobFetcher(client: PipelineServiceClient, grpc: typeof Gax.grpc): Promise<PipelineJobFetcher> {
  const stub = (await client.initialize()) as unknown as PipelineServiceStub;
  return (name, timeoutMs) =>
    new Promise((resolve, reject) => {
      const metadata = new grpc.Metadata();
      metadata.set('x-goog-request-params', `name=${encodeURIComponent(name)}`);
      const options = timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs };
      stub.getPipelineJob({ name }, metadata, options, (error, job) => (error ? reject(error) : resolve(job ?? {})));
    });
}
