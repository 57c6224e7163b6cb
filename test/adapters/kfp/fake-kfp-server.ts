import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeNow, listenOnLoopback } from '../../../src/testing/loopback-http-server.js';

/** One request the fake KFP API server received. */
export interface KfpRequest {
  readonly method: string;
  /** Path below `/apis/v2beta1`, e.g. `/pipelines/upload`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The JSON body, for JSON requests. */
  readonly json?: unknown;
  /** The file part of an upload: file name and content. */
  readonly upload?: { readonly fileName: string; readonly content: string };
}

/** A stored pipeline version. */
export interface FakeVersion {
  readonly id: string;
  readonly pipelineId: string;
  readonly displayName: string;
  readonly spec: Record<string, unknown>;
}

type Json = Record<string, unknown>;

interface Failure {
  readonly method: string;
  readonly path: RegExp;
  readonly status: number;
  readonly body: string;
}

const runFields = new Set([
  'display_name',
  'description',
  'experiment_id',
  'pipeline_version_id',
  'pipeline_version_reference',
  'pipeline_spec',
  'runtime_config',
  'service_account',
]);
const recurringRunFields = new Set([...runFields, 'max_concurrency', 'trigger', 'mode', 'no_catchup']);
const experimentFields = new Set(['display_name', 'description', 'namespace']);

class HttpAnswer extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

function rpcError(status: number, code: number, message: string): HttpAnswer {
  return new HttpAnswer(status, { code, message, details: [] });
}

const jsonTypeOf: Record<string, (value: unknown) => boolean> = {
  STRING: (value) => typeof value === 'string',
  NUMBER_INTEGER: (value) => typeof value === 'number' && Number.isInteger(value),
  NUMBER_DOUBLE: (value) => typeof value === 'number',
  BOOLEAN: (value) => typeof value === 'boolean',
  LIST: (value) => Array.isArray(value),
  STRUCT: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
};

/**
 * An in-test KFP v2beta1 REST server on 127.0.0.1: pipelines, versions (uploads are parsed as
 * multipart forms), experiments, runs and recurring runs held in memory, every request recorded.
 * It enforces what the real server enforces and the provider could get wrong: unknown request
 * fields (KFP 2.14+), both members of the pipeline version oneof, run parameters that the
 * version's spec does not declare or declares with another type, display-name filters, bearer
 * tokens when one is required.
 */
export class FakeKfpServer {
  readonly requests: KfpRequest[] = [];
  readonly pipelines = new Map<string, { id: string; displayName: string }>();
  readonly versions = new Map<string, FakeVersion>();
  readonly experiments = new Map<string, { id: string; displayName: string; namespace: string; description: string }>();
  readonly runs = new Map<string, Json>();
  readonly recurringRuns = new Map<string, Json>();
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  requiredToken: string | undefined;
  readonly #server: Server;
  readonly #failures: Failure[] = [];
  #url = '';

  constructor() {
    this.#server = createServer((request, response) => void this.#handle(request, response));
  }

  /** Listens on an ephemeral loopback port. */
  async start(): Promise<this> {
    this.#url = await listenOnLoopback(this.#server);
    return this;
  }

  /** The value for `restKfpApiUrl`. */
  get url(): string {
    return this.#url;
  }

  async stop(): Promise<void> {
    await closeNow(this.#server);
  }

  /** The requests as `METHOD path` lines, for asserting sequences. */
  get sequence(): string[] {
    return this.requests.map((request) => `${request.method} ${request.path}`);
  }

  /** Answers the next request matching `method` and `path` with `status` and a raw body. */
  failNext(method: string, path: RegExp, status: number, body: unknown): void {
    this.#failures.push({ method, path, status, body: typeof body === 'string' ? body : JSON.stringify(body) });
  }

  /** Adds a pipeline with versions; resolves the pipeline id. */
  seedPipeline(displayName: string, versions: ReadonlyArray<{ displayName: string; spec?: Record<string, unknown> }>): string {
    const id = randomUUID();
    this.pipelines.set(id, { id, displayName });
    for (const version of versions) this.#addVersion(id, version.displayName, version.spec ?? {});
    return id;
  }

  /** Adds an experiment; resolves its id. */
  seedExperiment(displayName: string, namespace = ''): string {
    const id = randomUUID();
    this.experiments.set(id, { id, displayName, namespace, description: '' });
    return id;
  }

  /** Adds a run as GET /runs/{id} returns it. */
  seedRun(runId: string, run: Json): void {
    this.runs.set(runId, { run_id: runId, ...run });
  }

  /** The versions of a pipeline, oldest first. */
  versionsOf(pipelineId: string): FakeVersion[] {
    return [...this.versions.values()].filter((version) => version.pipelineId === pipelineId);
  }

  #addVersion(pipelineId: string, displayName: string, spec: Record<string, unknown>): FakeVersion {
    const version = { id: randomUUID(), pipelineId, displayName, spec };
    this.versions.set(version.id, version);
    return version;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const prefix = '/apis/v2beta1';
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const method = request.method ?? '';
    const contentType = String(request.headers['content-type'] ?? '');
    let recorded: KfpRequest = { method, path, query, headers: request.headers };
    try {
      if (contentType.startsWith('multipart/form-data')) {
        const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
        const file = form.get('uploadfile');
        if (!(file instanceof File))
          throw new HttpAnswer(400, { error_message: 'Failed to read pipeline from file', error_details: 'no uploadfile part' });
        recorded = { ...recorded, upload: { fileName: file.name, content: await file.text() } };
      } else if (raw.length > 0) {
        if (!contentType.startsWith('application/json')) throw rpcError(400, 3, `unexpected content type ${contentType}`);
        recorded = { ...recorded, json: JSON.parse(raw.toString('utf8')) };
      }
      this.requests.push(recorded);
      if (this.requiredToken !== undefined && request.headers['authorization'] !== `Bearer ${this.requiredToken}`) {
        throw rpcError(401, 16, 'Unauthenticated: request header error: there is no user identity header');
      }
      const failure = this.#failures.findIndex((candidate) => candidate.method === method && candidate.path.test(path));
      if (failure >= 0) {
        const [{ status, body }] = this.#failures.splice(failure, 1) as [Failure];
        response.writeHead(status, { 'content-type': body.startsWith('{') ? 'application/json' : 'text/plain' }).end(body);
        return;
      }
      const answer = this.#route(method, path, query, recorded);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    } catch (error) {
      if (!this.requests.includes(recorded)) this.requests.push(recorded);
      const answer = error instanceof HttpAnswer ? error : rpcError(500, 13, String(error));
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    }
  }

  #route(method: string, path: string, query: Record<string, string>, request: KfpRequest): unknown {
    const parts = path
      .split('/')
      .filter((part) => part !== '')
      .map(decodeURIComponent);
    const route = `${method} /${parts.map((part, index) => (index % 2 === 1 && !['upload', 'upload_version'].includes(part) ? ':id' : part)).join('/')}`;
    switch (route) {
      case 'POST /pipelines/upload':
        return this.#uploadPipeline(query, request);
      case 'POST /pipelines/upload_version':
        return this.#uploadVersion(query, request);
      case 'GET /pipelines':
        return listAnswer(
          'pipelines',
          this.#filtered([...this.pipelines.values()], query).map((pipeline) => ({
            pipeline_id: pipeline.id,
            display_name: pipeline.displayName,
            name: pipeline.displayName,
          })),
        );
      case 'GET /pipelines/:id/versions':
        return this.#listVersions(parts[1] ?? '', query);
      case 'DELETE /pipelines/:id/versions/:id': {
        const version = this.versions.get(parts[3] ?? '');
        if (!version || version.pipelineId !== parts[1]) throw rpcError(404, 5, `pipeline version ${parts[3]} not found`);
        this.versions.delete(version.id);
        return {};
      }
      case 'DELETE /pipelines/:id': {
        if (!this.pipelines.has(parts[1] ?? '')) throw rpcError(404, 5, `pipeline ${parts[1]} not found`);
        if (this.versionsOf(parts[1] ?? '').length > 0) throw rpcError(400, 9, 'pipeline has versions; delete them first or use cascade');
        this.pipelines.delete(parts[1] ?? '');
        return {};
      }
      case 'POST /runs':
        return this.#createRun(request.json, runFields, this.runs, 'run_id');
      case 'GET /runs/:id': {
        const run = this.runs.get(parts[1] ?? '');
        if (!run) throw rpcError(404, 5, `run ${parts[1]} not found`);
        return run;
      }
      case 'POST /recurringruns':
        return this.#createRun(request.json, recurringRunFields, this.recurringRuns, 'recurring_run_id');
      case 'DELETE /recurringruns/:id':
        if (!this.recurringRuns.delete(parts[1] ?? '')) throw rpcError(404, 5, `recurring run ${parts[1]} not found`);
        return {};
      case 'POST /experiments':
        return this.#createExperiment(request.json);
      case 'GET /experiments': {
        const namespace = query['namespace'] ?? '';
        const inNamespace = [...this.experiments.values()].filter((experiment) => experiment.namespace === namespace);
        return listAnswer(
          'experiments',
          this.#filtered(inNamespace, query).map((experiment) => ({ experiment_id: experiment.id, display_name: experiment.displayName })),
        );
      }
      case 'DELETE /experiments/:id':
        if (!this.experiments.delete(parts[1] ?? '')) throw rpcError(404, 5, `experiment ${parts[1]} not found`);
        return {};
      default:
        throw rpcError(404, 5, `no route ${route}`);
    }
  }

  #filtered<T extends { displayName: string }>(items: T[], query: Record<string, string>): T[] {
    if (query['filter'] === undefined) return items;
    // The KFP server URL-unescapes the filter once more after the gateway (Go's url.QueryUnescape).
    let unescaped: string;
    try {
      unescaped = decodeURIComponent(query['filter'].replaceAll('+', ' '));
    } catch {
      throw rpcError(400, 3, `invalid filter ${query['filter']}`);
    }
    const filter = JSON.parse(unescaped) as { predicates?: Array<Record<string, unknown>> };
    const [predicate, ...others] = filter.predicates ?? [];
    if (
      !predicate ||
      others.length > 0 ||
      predicate['operation'] !== 'EQUALS' ||
      predicate['key'] !== 'display_name' ||
      typeof predicate['string_value'] !== 'string'
    ) {
      throw rpcError(400, 3, `unsupported filter ${query['filter']}`);
    }
    return items.filter((item) => item.displayName === predicate['string_value']);
  }

  #uploadPipeline(query: Record<string, string>, request: KfpRequest): unknown {
    const { name, ...others } = query;
    if (Object.keys(others).length > 0) throw new HttpAnswer(400, { error_message: `unexpected query ${Object.keys(others).join(',')}` });
    const spec = this.#uploadedSpec(request);
    if (!name) throw new HttpAnswer(400, { error_message: 'name missing' });
    if ([...this.pipelines.values()].some((pipeline) => pipeline.displayName === name)) {
      throw new HttpAnswer(409, {
        error_message: `Failed to create a pipeline: already exists`,
        error_details: `pipeline name ${name} already exists`,
      });
    }
    const id = randomUUID();
    this.pipelines.set(id, { id, displayName: name });
    this.#addVersion(id, name, spec);
    return { pipeline_id: id, display_name: name, name, created_at: new Date().toISOString() };
  }

  #uploadVersion(query: Record<string, string>, request: KfpRequest): unknown {
    const { name, pipelineid, ...others } = query;
    if (Object.keys(others).length > 0) throw new HttpAnswer(400, { error_message: `unexpected query ${Object.keys(others).join(',')}` });
    const spec = this.#uploadedSpec(request);
    if (!pipelineid || !this.pipelines.has(pipelineid)) throw new HttpAnswer(400, { error_message: `pipeline ${pipelineid} not found` });
    if (this.versionsOf(pipelineid).some((version) => version.displayName === name)) {
      throw new HttpAnswer(409, { error_message: `version ${name} already exists` });
    }
    const version = this.#addVersion(pipelineid, name ?? 'resource.yaml', spec);
    return { pipeline_version_id: version.id, pipeline_id: pipelineid, display_name: version.displayName, name: version.displayName };
  }

  #uploadedSpec(request: KfpRequest): Record<string, unknown> {
    if (!request.upload || !/\.(ya?ml|json)$/.test(request.upload.fileName))
      throw new HttpAnswer(400, { error_message: 'unexpected file name' });
    return JSON.parse(request.upload.content) as Record<string, unknown>;
  }

  #listVersions(pipelineId: string, query: Record<string, string>): unknown {
    if (!this.pipelines.has(pipelineId)) throw rpcError(404, 5, `pipeline ${pipelineId} not found`);
    const all = this.#filtered(this.versionsOf(pipelineId), query);
    const size = Math.min(Number(query['page_size'] ?? 20), 200);
    const offset = Number(query['page_token'] ?? 0);
    const page = all.slice(offset, offset + size);
    const next = offset + size < all.length ? String(offset + size) : undefined;
    return {
      ...listAnswer(
        'pipeline_versions',
        page.map((version) => ({
          pipeline_version_id: version.id,
          pipeline_id: pipelineId,
          display_name: version.displayName,
          pipeline_spec: version.spec,
        })),
      ),
      ...(next ? { next_page_token: next } : {}),
    };
  }

  #createRun(body: unknown, allowed: Set<string>, into: Map<string, Json>, idField: string): unknown {
    const run = body as Json;
    for (const key of Object.keys(run)) if (!allowed.has(key)) throw rpcError(400, 3, `unknown field "${key}"`);
    if (run['pipeline_version_id'] !== undefined && run['pipeline_version_reference'] !== undefined)
      throw rpcError(400, 3, 'two members of a oneof');
    if (!this.experiments.has(String(run['experiment_id']))) throw rpcError(404, 5, `experiment ${String(run['experiment_id'])} not found`);
    const reference = run['pipeline_version_reference'] as Json;
    const version = this.versions.get(String(reference['pipeline_version_id']));
    if (!version || version.pipelineId !== reference['pipeline_id']) throw rpcError(404, 5, 'pipeline version not found');
    const declared = ((version.spec['root'] as Json | undefined)?.['inputDefinitions'] as Json | undefined)?.['parameters'] as
      Record<string, Json> | undefined;
    const parameters = ((run['runtime_config'] as Json | undefined)?.['parameters'] ?? {}) as Json;
    for (const [key, value] of Object.entries(parameters)) {
      const declaration = declared?.[key];
      if (!declaration) throw rpcError(400, 3, `parameter ${key} is not declared by the pipeline`);
      const check = jsonTypeOf[String(declaration['parameterType'])];
      if (check && !check(value)) throw rpcError(400, 3, `parameter ${key} has the wrong type`);
    }
    if (run['display_name'] === '') throw rpcError(400, 3, 'run name is empty');
    const id = randomUUID();
    into.set(id, { [idField]: id, ...run, created_at: new Date().toISOString() });
    return { [idField]: id, ...run };
  }

  #createExperiment(body: unknown): unknown {
    const experiment = body as Json;
    for (const key of Object.keys(experiment)) if (!experimentFields.has(key)) throw rpcError(400, 3, `unknown field "${key}"`);
    const displayName = typeof experiment['display_name'] === 'string' ? experiment['display_name'] : '';
    const namespace = typeof experiment['namespace'] === 'string' ? experiment['namespace'] : '';
    if ([...this.experiments.values()].some((existing) => existing.displayName === displayName && existing.namespace === namespace)) {
      throw rpcError(409, 6, `experiment ${displayName} already exists`);
    }
    const id = this.seedExperiment(displayName, namespace);
    return { experiment_id: id, display_name: displayName };
  }
}

function listAnswer(field: string, items: unknown[]): Json {
  // KFP omits empty arrays: an empty list answers {}.
  return items.length > 0 ? { [field]: items, total_size: items.length } : {};
}
