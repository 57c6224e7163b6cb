import { Server, ServerCredentials, type ServiceClientConstructor, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadMlmdPackage } from '../../../src/adapters/kfp/mlmd-proto.js';

type Message = Record<string, unknown>;

/** One run's metadata as MLMD would hold it. */
export interface FakeMlmdRun {
  readonly contextId: string;
  readonly executions: readonly Message[];
  readonly events: readonly Message[];
  readonly artifacts: readonly Message[];
}

/**
 * An in-test ML Metadata gRPC server on 127.0.0.1, built from the project's `.proto`: answers the
 * four calls the provider makes from runs registered by KFP run id and records every request.
 * Like MLMD, an unknown context is an OK answer without `context`.
 */
export class FakeMlmdServer {
  readonly calls: Array<{ method: string; request: Message }> = [];
  readonly runs = new Map<string, FakeMlmdRun>();
  /** When set, every call fails with this gRPC status code. */
  failWith: number | undefined;
  #server = new Server();
  #port = 0;
  #address = '';

  async start(): Promise<this> {
    const service = (loadMlmdPackage()['MetadataStoreService'] as ServiceClientConstructor).service;
    const handler = (method: string, answer: (request: Message) => Message): UntypedServiceImplementation[string] =>
      ((call: { request: Message }, callback: (error: unknown, response?: Message) => void) => {
        this.calls.push({ method, request: call.request });
        if (this.failWith !== undefined) callback({ code: this.failWith, details: 'metadata store unavailable' });
        else callback(null, answer(call.request));
      }) as UntypedServiceImplementation[string];
    this.#server.addService(service, {
      GetContextByTypeAndName: handler('GetContextByTypeAndName', (request) => {
        const run = request['type_name'] === 'system.PipelineRun' ? this.runs.get(String(request['context_name'])) : undefined;
        return run ? { context: { id: run.contextId, name: request['context_name'], type: 'system.PipelineRun' } } : {};
      }),
      GetExecutionsByContext: handler('GetExecutionsByContext', (request) => ({
        executions: this.#run(request['context_id'])?.executions ?? [],
      })),
      GetEventsByExecutionIDs: handler('GetEventsByExecutionIDs', (request) => {
        const ids = new Set(((request['execution_ids'] ?? []) as string[]).map(String));
        return { events: [...this.runs.values()].flatMap((run) => run.events).filter((event) => ids.has(String(event['execution_id']))) };
      }),
      GetArtifactsByID: handler('GetArtifactsByID', (request) => {
        const ids = new Set(((request['artifact_ids'] ?? []) as string[]).map(String));
        return { artifacts: [...this.runs.values()].flatMap((run) => run.artifacts).filter((artifact) => ids.has(String(artifact['id']))) };
      }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      this.#server.bindAsync(`127.0.0.1:${this.#port}`, ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    this.#port = port;
    this.#address = `127.0.0.1:${port}`;
    return this;
  }

  /** The value for `grpcMetadataStoreAddress`. */
  get address(): string {
    return this.#address;
  }

  /** Ends the server at once, cutting open connections, as a crash would. */
  async stop(): Promise<void> {
    this.#server.forceShutdown();
  }

  /** Serves again on the same address after {@link stop}, with the same runs. */
  async restart(): Promise<this> {
    this.#server = new Server();
    return this.start();
  }

  #run(contextId: unknown): FakeMlmdRun | undefined {
    return [...this.runs.values()].find((run) => run.contextId === String(contextId));
  }
}

const struct = (fields: Record<string, unknown>): Message => ({ fields });

/**
 * A realistic KFP v2 run in MLMD: a DAG execution without outputs, a trainer with two outputs (one
 * artifact without display name), an evaluator reading the model and writing metrics with int,
 * string, double and struct properties, and a task without display name.
 */
export function realisticMlmdRun(contextId = '17'): FakeMlmdRun {
  const name = (value: string): Message => ({ display_name: { string_value: value } });
  return {
    contextId,
    executions: [
      { id: '100', type: 'system.DAGExecution', custom_properties: name('run-root') },
      { id: '101', type: 'system.ContainerExecution', custom_properties: name('Trainer') },
      { id: '102', type: 'system.ContainerExecution', custom_properties: name('Evaluator') },
      { id: '103', type: 'system.ContainerExecution', custom_properties: {} },
    ],
    events: [
      { artifact_id: '200', execution_id: '101', type: 'OUTPUT' },
      { artifact_id: '201', execution_id: '101', type: 'OUTPUT' },
      { artifact_id: '200', execution_id: '102', type: 'INPUT' },
      { artifact_id: '202', execution_id: '102', type: 'OUTPUT' },
      { execution_id: '102', type: 'OUTPUT' },
      { artifact_id: '203', execution_id: '103', type: 'OUTPUT' },
    ],
    artifacts: [
      {
        id: '200',
        uri: 'gs://bucket/run/Trainer/model',
        properties: { framework: { string_value: 'tf' } },
        custom_properties: { display_name: { string_value: 'model' }, accuracy: { double_value: 0.93 } },
      },
      { id: '201', uri: 'gs://bucket/run/Trainer/logs', custom_properties: {} },
      {
        id: '202',
        uri: 'gs://bucket/run/Evaluator/metrics',
        properties: { framework: { string_value: 'old' }, steps: { int_value: '1200' } },
        custom_properties: {
          display_name: { string_value: 'metrics' },
          framework: { string_value: 'new' },
          blessed: { bool_value: true },
          summary: {
            struct_value: struct({
              auc: { numberValue: 0.8 },
              tags: { listValue: { values: [{ stringValue: 'a' }] } },
              nested: { structValue: struct({ ok: { boolValue: true } }) },
              none: { nullValue: 'NULL_VALUE' },
            }),
          },
        },
      },
      { id: '203', uri: 'gs://bucket/run/x/y', custom_properties: { display_name: { string_value: 'y' } } },
    ],
  };
}

/** The components {@link realisticMlmdRun} turns into. */
export const realisticComponents = [
  {
    name: 'Trainer',
    componentArtifacts: [
      {
        name: 'model',
        artifacts: [{ uri: 'gs://bucket/run/Trainer/model', metadata: { framework: 'tf', display_name: 'model', accuracy: 0.93 } }],
      },
    ],
  },
  {
    name: 'Evaluator',
    componentArtifacts: [
      {
        name: 'metrics',
        artifacts: [
          {
            uri: 'gs://bucket/run/Evaluator/metrics',
            metadata: {
              framework: 'new',
              steps: 1200,
              display_name: 'metrics',
              summary: { auc: 0.8, tags: ['a'], nested: { ok: true }, none: null },
            },
          },
        ],
      },
    ],
  },
];
