import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { serviceClientAt } from './grpc-service-client.js';

const require = createRequire(import.meta.url);

/** One call the fake received: the method and the request as decoded on the wire. */
export interface ReceivedVertexCall {
  readonly method: string;
  readonly request: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  /** The call's deadline in epoch milliseconds; `Infinity` when the client set none. */
  readonly deadline: number;
}

/** A gRPC error the fake answers with. */
export interface FakeGrpcError {
  readonly code: grpc.status;
  readonly details: string;
}

type Handler = (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, callback: grpc.sendUnaryData<unknown>) => void;

function loadDefinition(): grpc.GrpcObject {
  const aiplatformProtos = join(dirname(require.resolve('@google-cloud/aiplatform/package.json')), 'build', 'protos');
  const gaxProtos = join(dirname(require.resolve('google-gax')), '..', 'protos');
  const definition = protoLoader.loadSync(
    ['google/cloud/aiplatform/v1/pipeline_service.proto', 'google/cloud/aiplatform/v1/schedule_service.proto'],
    { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [aiplatformProtos, gaxProtos] },
  );
  return grpc.loadPackageDefinition(definition);
}

/** How a {@link FakeVertexServer} behaves. */
export interface FakeVertexServerOptions {
  /**
   * Keep the schedules it created and, as Vertex AI does, answer NOT_FOUND to an update or delete
   * of any other (including one deleted already). Off by default: then any schedule name is taken.
   */
  readonly tracksSchedules?: boolean;
}

/**
 * A plaintext Vertex AI gRPC server on 127.0.0.1 built from the protos the client package ships:
 * PipelineService (create/get job), ScheduleService (create/update/delete schedule) and
 * Operations. It records every request as decoded from the wire and answers from test scripts.
 */
export class FakeVertexServer {
  readonly calls: ReceivedVertexCall[] = [];
  /** Jobs GetPipelineJob answers with, by full job name. */
  readonly jobs = new Map<string, Record<string, unknown>>();
  /** Errors to answer with, by method name (every call until deleted). */
  readonly failures = new Map<string, FakeGrpcError>();
  /** When set, DeleteSchedule answers an unfinished operation and GetOperation finishes it. */
  pendingDeletes = false;
  /**
   * When set, the deletion operation finishes with this error (a `google.rpc.Status`) instead of
   * an empty response, as Vertex AI reports a deletion that failed after it was accepted.
   */
  deleteOperationError: FakeGrpcError | undefined;
  /** The schedules created and not deleted since, when `tracksSchedules` is on. */
  readonly schedules = new Set<string>();
  readonly #server = new grpc.Server();
  readonly #tracksSchedules: boolean;
  #scheduleCount = 0;
  #port = 0;

  #generatedJobs = 0;

  constructor(options: FakeVertexServerOptions = {}) {
    this.#tracksSchedules = options.tracksSchedules ?? false;
  }

  /** Starts on an ephemeral port. */
  async start(): Promise<this> {
    const root = loadDefinition();
    this.#server.addService(serviceClientAt(root, 'google.cloud.aiplatform.v1.PipelineService').service, {
      createPipelineJob: this.#handle('CreatePipelineJob', (request) => ({
        ...(request['pipelineJob'] as object),
        // Vertex AI generates an id when the request names none.
        name: `${String(request['parent'])}/pipelineJobs/${typeof request['pipelineJobId'] === 'string' && request['pipelineJobId'] !== '' ? request['pipelineJobId'] : `generated-${++this.#generatedJobs}`}`,
      })),
      getPipelineJob: this.#handle('GetPipelineJob', (request) => {
        const job = this.jobs.get(String(request['name']));
        if (!job) return { code: grpc.status.NOT_FOUND, details: `job ${String(request['name'])} not found` };
        return job;
      }),
    });
    this.#server.addService(serviceClientAt(root, 'google.cloud.aiplatform.v1.ScheduleService').service, {
      createSchedule: this.#handle('CreateSchedule', (request) => {
        const name = `${String(request['parent'])}/schedules/${++this.#scheduleCount}`;
        if (this.#tracksSchedules) this.schedules.add(name);
        return { ...(request['schedule'] as object), name };
      }),
      updateSchedule: this.#handle('UpdateSchedule', (request) => {
        const name = String((request['schedule'] as Record<string, unknown> | undefined)?.['name']);
        return this.#unknownSchedule(name) ?? request['schedule'];
      }),
      deleteSchedule: this.#handle('DeleteSchedule', (request) => {
        const name = String(request['name']);
        const unknown = this.#unknownSchedule(name);
        if (unknown) return unknown;
        this.schedules.delete(name);
        return this.pendingDeletes ? { name: `${name}/operations/delete`, done: false } : this.#finishedDelete(`${name}/operations/delete`);
      }),
    });
    this.#server.addService(serviceClientAt(root, 'google.longrunning.Operations').service, {
      getOperation: this.#handle('GetOperation', (request) => this.#finishedDelete(String(request['name']))),
    });
    this.#port = await new Promise<number>((resolve, reject) =>
      this.#server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    return this;
  }

  /** `http://127.0.0.1:{port}`, the plaintext form of the `vaiEndpoint` setting. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The requests one method received, in order. */
  requestsOf(method: string): Array<Record<string, unknown>> {
    return this.calls.filter((call) => call.method === method).map((call) => call.request);
  }

  /** Stops at once, ending open calls. */
  async stop(): Promise<void> {
    this.#server.forceShutdown();
  }

  #finishedDelete(operation: string): Record<string, unknown> {
    const error = this.deleteOperationError;
    return error
      ? { name: operation, done: true, error: { code: error.code, message: error.details } }
      : { name: operation, done: true, response: emptyAny() };
  }

  #unknownSchedule(name: string): FakeGrpcError | undefined {
    if (!this.#tracksSchedules || this.schedules.has(name)) return undefined;
    return { code: grpc.status.NOT_FOUND, details: `schedule ${name} not found` };
  }

  #handle(method: string, answer: (request: Record<string, unknown>) => unknown): Handler {
    return (call, callback) => {
      const deadline = call.getDeadline();
      this.calls.push({
        method,
        request: call.request,
        metadata: call.metadata.getMap(),
        deadline: deadline instanceof Date ? deadline.getTime() : deadline,
      });
      const failure = this.failures.get(method);
      if (failure) {
        callback({ code: failure.code, details: failure.details });
        return;
      }
      const result = answer(call.request) as { code?: unknown; details?: unknown };
      if (typeof result.code === 'number' && typeof result.details === 'string') {
        callback({ code: result.code, details: result.details });
        return;
      }
      callback(null, result);
    };
  }
}

function emptyAny(): { typeUrl: string; value: Buffer } {
  return { typeUrl: 'type.googleapis.com/google.protobuf.Empty', value: Buffer.alloc(0) };
}
