import { type Client, credentials, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import {
  type MlmdArtifact,
  type MlmdEvent,
  type MlmdExecution,
  kfpRunContextType,
  mlmdOutputEvents,
  mlmdPipelineComponents,
} from '../../domain/kfp/mlmd-components.js';
import { BackendError } from '../../domain/errors.js';
import type { PipelineComponent } from '../../domain/run-completion-event.js';
import { loadMlmdPackage } from './mlmd-proto.js';

/** Options of {@link MlmdGrpcClient}. */
export interface MlmdGrpcClientOptions {
  /** `grpcMetadataStoreAddress`: `host:port`, plaintext. */
  readonly address: string;
  /** Deadline of one call (`BACKEND_TIMEOUT_MS`, default 30 s). */
  readonly timeoutMs?: number;
}

type UnaryCall = (request: object, options: { deadline: Date }, callback: (error: ServiceError | null, response: unknown) => void) => void;

const defaultTimeoutMs = 30_000;

// grpc-js reconnects a channel in TRANSIENT_FAILURE by itself, with a backoff that grows to 120 s;
// meanwhile every call fails at once. Bounded at 5 s, events retried after a long MLMD outage
// find the channel connected within seconds of MLMD coming back rather than up to two minutes
// (after 40 s away: 3 s instead of 10.5 s).
const channelOptions = { 'grpc.max_reconnect_backoff_ms': 5000 };

/**
 * Reads a KFP run's outputs from ML Metadata over plaintext gRPC (MLMD takes no credentials, in
 * either KFP mode) and turns them into the event's pipeline components.
 */
export class MlmdGrpcClient {
  readonly #client: Client;
  readonly #timeoutMs: number;
  readonly #address: string;

  constructor(options: MlmdGrpcClientOptions) {
    const service = loadMlmdPackage()['MetadataStoreService'] as ServiceClientConstructor;
    this.#client = new service(options.address, credentials.createInsecure(), channelOptions);
    this.#timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    this.#address = options.address;
  }

  /**
   * The pipeline components of a KFP run; `undefined` when MLMD has no context for the run (it
   * answers an empty response rather than NOT_FOUND).
   */
  async pipelineComponents(runId: string): Promise<PipelineComponent[] | undefined> {
    const contextResponse = await this.#call('GetContextByTypeAndName', { type_name: kfpRunContextType, context_name: runId });
    const context = (contextResponse as { context?: { id?: string } }).context;
    if (context?.id === undefined) return undefined;
    const { executions = [] } = (await this.#call('GetExecutionsByContext', { context_id: context.id })) as {
      executions?: MlmdExecution[];
    };
    const { events = [] } = (await this.#call('GetEventsByExecutionIDs', {
      execution_ids: executions.map((execution) => execution.id).filter((id) => id !== undefined),
    })) as { events?: MlmdEvent[] };
    const artifactIds = [
      ...new Set(
        mlmdOutputEvents(events)
          .map((event) => event.artifact_id)
          .filter((id) => id !== undefined),
      ),
    ];
    const { artifacts = [] } = (await this.#call('GetArtifactsByID', { artifact_ids: artifactIds })) as { artifacts?: MlmdArtifact[] };
    return mlmdPipelineComponents(executions, events, artifacts);
  }

  /** Closes the channel. */
  close(): void {
    this.#client.close();
  }

  #call(method: string, request: object): Promise<unknown> {
    const call = (this.#client as unknown as Record<string, UnaryCall>)[method];
    if (!call) throw new Error(`ML Metadata method ${method} is missing from the loaded proto`);
    return new Promise((resolve, reject) => {
      call.call(this.#client, request, { deadline: new Date(Date.now() + this.#timeoutMs) }, (error, response) => {
        if (error)
          reject(new BackendError(`ML Metadata ${method} at ${this.#address} failed: ${error.details || error.message}`, { cause: error }));
        else resolve(response);
      });
    });
  }
}
