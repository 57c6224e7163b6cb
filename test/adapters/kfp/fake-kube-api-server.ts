import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenOn } from '../../../src/adapters/shared/listen-on.js';
import { closeNow, listenOnLoopback } from '../../../src/testing/loopback-http-server.js';

type Json = Record<string, any>;

/** One request the fake API server received. */
export interface KubeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly contentType?: string;
  readonly body?: unknown;
  /** The bearer token it carried: which kubeconfig (see {@link FakeKubeApiServer.writeKubeconfig}) sent it. */
  readonly token?: string;
}

/** How lease requests are answered while {@link FakeKubeApiServer.leaseOutage} is set. */
export type LeaseOutage = 'error' | 'forbidden' | 'hang';

interface Change {
  readonly resourceVersion: number;
  readonly before: Json | undefined;
  readonly after: Json | undefined;
}

interface OpenWatch {
  readonly token: string | undefined;
  readonly selector: string;
  /** The namespace watched; `undefined` for the cluster-wide path. */
  readonly namespace: string | undefined;
  readonly response: ServerResponse;
}

const namespacedWorkflowsPath = /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/([^/]+)\/workflows(?:\/([^/]+))?$/;
const clusterWorkflowsPath = '/apis/argoproj.io/v1alpha1/workflows';
const leasesPath = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/]+))?$/;

function isWorkflowPath(path: string): boolean {
  return path === clusterWorkflowsPath || namespacedWorkflowsPath.test(path);
}

function namespaceOf(object: Json): string {
  return String(object['metadata']['namespace']);
}

/** Kubernetes label-selector semantics for the forms the provider uses: `k`, `!k`, `k=v`, `k==v`, `k!=v`. */
export function matchesSelector(labels: Readonly<Record<string, string>>, selector: string): boolean {
  return selector
    .split(',')
    .filter((requirement) => requirement !== '')
    .every((requirement) => {
      const notEquals = requirement.split('!=');
      if (notEquals.length === 2) return labels[notEquals[0]!] !== notEquals[1];
      const equals = requirement.split(/==?/);
      if (equals.length === 2) return labels[equals[0]!] === equals[1];
      if (requirement.startsWith('!')) return labels[requirement.slice(1)] === undefined;
      return labels[requirement] !== undefined;
    });
}

/**
 * An in-test Kubernetes API server for Argo workflows, over plain HTTP on 127.0.0.1: list and
 * watch of one namespace (`/namespaces/{ns}/workflows`) or of all of them (`/workflows`, as the
 * real server offers for namespaced resources), with resourceVersions and selector-aware events (entering the
 * selection is ADDED, leaving it DELETED), watch resumption from a resourceVersion, expiry with
 * 410 Gone (as an ERROR event or as the HTTP status), JSON patches (`add`, and `replace` of a
 * missing label as the real server allows) on the namespaced path, recorded as sent. Workflows
 * put without a namespace land in the one given to the constructor. Leases
 * (`coordination.k8s.io/v1`): get, create (409 AlreadyExists) and replace, with a
 * `metadata.resourceVersion` that must match the stored one (409 Conflict otherwise), and an
 * outage switch for them alone. Every request records the bearer token it came with, so tests
 * with several clients (one kubeconfig each) can tell who watched and who patched; the peak of
 * concurrently open watches is kept.
 */
export class FakeKubeApiServer {
  readonly requests: KubeRequest[] = [];
  /** The stored workflows by `namespace/name`; see {@link workflow}. */
  readonly objects = new Map<string, Json>();
  /** The stored leases by `namespace/name`; see {@link lease}. */
  readonly leases = new Map<string, Json>();
  /** Patches that failed on purpose are not applied; the count goes down with each. */
  failPatches = 0;
  /** While set, every lease request fails with 503 (`error`) or 403 (`forbidden`), or is never answered (`hang`). */
  leaseOutage: LeaseOutage | undefined;
  /**
   * When set, another client writes this spec into the lease just before the next replace is
   * checked (which then conflicts, unless it names no resourceVersion); cleared once used.
   */
  interposeLeaseWrite: Json | undefined;
  readonly #history: Change[] = [];
  readonly #watches = new Set<OpenWatch>();
  readonly #hanging = new Set<ServerResponse>();
  readonly #server: Server;
  #resourceVersion = 100;
  /** Watches from a resourceVersion older than this are answered 410. */
  #oldestResumable = 0;
  #peakOpenWatches = 0;
  #port = 0;
  readonly #dirs: string[] = [];

  constructor(readonly namespace = 'kubeflow') {
    this.#server = createServer((request, response) => void this.#handle(request, response));
  }

  async start(): Promise<this> {
    this.#port = Number(new URL(await listenOnLoopback(this.#server)).port);
    return this;
  }

  /**
   * Writes a kubeconfig for this server into a fresh temp dir, removed by {@link stop}; its
   * requests carry `token`, which {@link KubeRequest.token} records.
   */
  async writeKubeconfig(token = 'test-token'): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'fake-kube-'));
    this.#dirs.push(dir);
    const file = join(dir, 'kubeconfig');
    await writeFile(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        `- name: fake\n  cluster:\n    server: http://127.0.0.1:${this.#port}\n    insecure-skip-tls-verify: true`,
        'users:',
        `- name: tester\n  user:\n    token: ${token}`,
        'contexts:',
        '- name: fake\n  context:\n    cluster: fake\n    user: tester',
        'current-context: fake',
        '',
      ].join('\n'),
    );
    return file;
  }

  async stop(): Promise<void> {
    await this.pause();
    for (const dir of this.#dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  }

  /**
   * Goes away as an unreachable API server does: open watches are cut and the port refuses
   * connections. The workflows stay, and can still be changed, as in etcd; see {@link resume}.
   */
  async pause(): Promise<void> {
    this.cutWatches();
    for (const response of this.#hanging) response.destroy();
    this.#hanging.clear();
    if (this.#server.listening) await closeNow(this.#server);
  }

  /** Answers again on the same port after {@link pause}. */
  async resume(): Promise<void> {
    await listenOn(this.#server, '127.0.0.1', this.#port);
  }

  /** Workflow watch requests so far. */
  get watchRequests(): KubeRequest[] {
    return this.requests.filter((request) => request.method === 'GET' && request.query['watch'] === 'true' && isWorkflowPath(request.path));
  }

  /** Workflow list requests so far. */
  get listRequests(): KubeRequest[] {
    return this.requests.filter((request) => request.method === 'GET' && request.query['watch'] !== 'true' && isWorkflowPath(request.path));
  }

  /** Lease requests so far. */
  get leaseRequests(): KubeRequest[] {
    return this.requests.filter((request) => leasesPath.test(request.path));
  }

  /** Patch requests so far. */
  get patches(): KubeRequest[] {
    return this.requests.filter((request) => request.method === 'PATCH');
  }

  /** How many watches are open now. */
  get openWatches(): number {
    return this.#watches.size;
  }

  /** The bearer tokens of the open watches, one entry per watch. */
  get openWatchTokens(): Array<string | undefined> {
    return [...this.#watches].map((watch) => watch.token);
  }

  /** The most watches open at the same time since the start or the last {@link resetPeakOpenWatches}. */
  get peakOpenWatches(): number {
    return this.#peakOpenWatches;
  }

  /** Starts counting the peak again from the watches open now. */
  resetPeakOpenWatches(): void {
    this.#peakOpenWatches = this.#watches.size;
  }

  /** The stored lease `name` in `namespace` (default: the constructor's). */
  lease(name: string, namespace = this.namespace): Json | undefined {
    return this.leases.get(`${namespace}/${name}`);
  }

  /** Stores a lease as if another client had written it (a new resourceVersion). */
  putLease(name: string, spec: Json, namespace = this.namespace): Json {
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace, resourceVersion: String(++this.#resourceVersion) },
      spec: structuredClone(spec),
    };
    this.leases.set(`${namespace}/${name}`, lease);
    return lease;
  }

  /** The stored workflow `name` in `namespace` (default: the constructor's). */
  workflow(name: string, namespace = this.namespace): Json | undefined {
    return this.objects.get(`${namespace}/${name}`);
  }

  /**
   * Creates or replaces a workflow (a new resourceVersion), notifying open watches; it goes to its
   * `metadata.namespace`, or to the constructor's namespace when it has none.
   */
  put(workflow: Json): void {
    const namespace = String(workflow['metadata']['namespace'] ?? this.namespace);
    const key = `${namespace}/${String(workflow['metadata']['name'])}`;
    const before = this.objects.get(key);
    const after = structuredClone(workflow);
    after['metadata'] = { ...after['metadata'], namespace, resourceVersion: String(++this.#resourceVersion) };
    this.objects.set(key, after);
    this.#record(before, after);
  }

  /** Deletes a workflow, notifying open watches. */
  remove(name: string, namespace = this.namespace): void {
    const key = `${namespace}/${name}`;
    const before = this.objects.get(key);
    if (!before) return;
    this.objects.delete(key);
    ++this.#resourceVersion;
    this.#record(before, undefined);
  }

  /**
   * Expires every watch as a real server does after compaction: open watches get an ERROR event
   * with code 410 and end; resuming from any version up to now answers HTTP 410.
   */
  expireWatches(): void {
    this.#oldestResumable = this.#resourceVersion + 1;
    for (const watch of [...this.#watches]) {
      watch.response.end(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version' } })}\n`,
      );
      this.#watches.delete(watch);
    }
  }

  /** Forgets the history up to now: resuming a watch from an older version answers HTTP 410. */
  compact(): void {
    this.#oldestResumable = this.#resourceVersion + 1;
  }

  /** Cuts every open watch mid-stream, as a dropped connection or client-node's idle timeout does. */
  cutWatches(): void {
    for (const watch of [...this.#watches]) {
      watch.response.destroy();
      this.#watches.delete(watch);
    }
  }

  /** Ends every open watch cleanly (clients resume from their last version). */
  endWatches(): void {
    for (const watch of [...this.#watches]) {
      watch.response.end();
      this.#watches.delete(watch);
    }
  }

  #record(before: Json | undefined, after: Json | undefined): void {
    const change = { resourceVersion: this.#resourceVersion, before, after };
    this.#history.push(change);
    for (const watch of this.#watches) this.#send(watch, change);
  }

  #send(watch: OpenWatch, change: Change): void {
    const namespace = namespaceOf((change.after ?? change.before)!);
    if (watch.namespace !== undefined && watch.namespace !== namespace) return;
    const inBefore = change.before !== undefined && matchesSelector(change.before['metadata']['labels'] ?? {}, watch.selector);
    const inAfter = change.after !== undefined && matchesSelector(change.after['metadata']['labels'] ?? {}, watch.selector);
    let event: Json | undefined;
    if (inAfter) event = { type: inBefore ? 'MODIFIED' : 'ADDED', object: change.after };
    else if (inBefore) {
      const previous = structuredClone(change.before);
      previous['metadata']['resourceVersion'] = String(change.resourceVersion);
      event = { type: 'DELETED', object: previous };
    }
    if (event) watch.response.write(`${JSON.stringify(event)}\n`);
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const query = Object.fromEntries(url.searchParams);
    const text = Buffer.concat(chunks).toString('utf8');
    const contentType = request.headers['content-type'];
    const token = /^Bearer (.+)$/.exec(request.headers['authorization'] ?? '')?.[1];
    this.requests.push({
      method: request.method ?? '',
      path: url.pathname,
      query,
      ...(contentType ? { contentType } : {}),
      ...(text ? { body: JSON.parse(text) } : {}),
      ...(token ? { token } : {}),
    });
    const status = (code: number, message: string, reason?: string): void => {
      response
        .writeHead(code, { 'content-type': 'application/json' })
        .end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code, ...(reason ? { reason } : {}) }));
    };
    const lease = leasesPath.exec(url.pathname);
    if (lease) {
      const name = lease[2] === undefined ? undefined : decodeURIComponent(lease[2]);
      return this.#handleLease(request.method ?? '', decodeURIComponent(lease[1]!), name, text, response, status);
    }
    const match = namespacedWorkflowsPath.exec(url.pathname);
    if (!match && url.pathname !== clusterWorkflowsPath) return status(404, `no route ${url.pathname}`);
    const namespace = match ? decodeURIComponent(match[1]!) : undefined;
    const name = match?.[2] === undefined ? undefined : decodeURIComponent(match[2]);
    const selector = query['labelSelector'] ?? '';
    if (request.method === 'GET' && name === undefined && query['watch'] === 'true') {
      const from = Number(query['resourceVersion'] ?? 0);
      if (from < this.#oldestResumable) return status(410, 'too old resource version');
      response.writeHead(200, { 'content-type': 'application/json' });
      response.flushHeaders();
      const watch = { token, selector, namespace, response };
      for (const change of this.#history) if (change.resourceVersion > from) this.#send(watch, change);
      this.#watches.add(watch);
      this.#peakOpenWatches = Math.max(this.#peakOpenWatches, this.#watches.size);
      response.on('close', () => this.#watches.delete(watch));
      return;
    }
    if (request.method === 'GET' && name === undefined) {
      const items = [...this.objects.values()].filter(
        (object) =>
          (namespace === undefined || namespaceOf(object) === namespace) && matchesSelector(object['metadata']['labels'] ?? {}, selector),
      );
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'WorkflowList',
          metadata: { resourceVersion: String(this.#resourceVersion) },
          items,
        }),
      );
      return;
    }
    if (request.method === 'PATCH' && namespace !== undefined && name !== undefined) {
      if (contentType !== 'application/json-patch+json') return status(415, `unsupported patch type ${contentType}`);
      if (this.failPatches > 0) {
        this.failPatches -= 1;
        return status(500, 'etcd unavailable');
      }
      const current = this.workflow(name, namespace);
      if (!current) return status(404, `workflows.argoproj.io "${name}" not found`);
      const patched = structuredClone(current);
      for (const operation of JSON.parse(text) as Json[]) {
        const segments = String(operation['path'])
          .split('/')
          .slice(1)
          .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
        const [metadata, labels, key] = segments;
        if (metadata !== 'metadata' || labels !== 'labels' || key === undefined || !['add', 'replace'].includes(operation['op'])) {
          return status(422, `unsupported patch ${JSON.stringify(operation)}`);
        }
        if (typeof operation['value'] !== 'string') return status(422, 'label values must be strings');
        patched['metadata']['labels'] = { ...patched['metadata']['labels'], [key]: operation['value'] };
      }
      this.put(patched);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.workflow(name, namespace)));
      return;
    }
    status(405, 'method not allowed');
  }

  #handleLease(
    method: string,
    namespace: string,
    name: string | undefined,
    text: string,
    response: ServerResponse,
    status: (code: number, message: string, reason?: string) => void,
  ): void {
    if (this.leaseOutage === 'hang') {
      this.#hanging.add(response);
      response.on('close', () => this.#hanging.delete(response));
      return;
    }
    if (this.leaseOutage === 'error') return status(503, 'etcd unavailable', 'ServiceUnavailable');
    if (this.leaseOutage === 'forbidden') {
      return status(
        403,
        `leases.coordination.k8s.io is forbidden: User "system:serviceaccount:ops:kfp" cannot ${method.toLowerCase()} resource "leases"`,
        'Forbidden',
      );
    }
    const answer = (code: number, lease: Json): void => {
      response.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(lease));
    };
    const stored = name === undefined ? undefined : this.lease(name, namespace);
    if (method === 'GET' && name !== undefined) {
      return stored ? answer(200, stored) : status(404, `leases.coordination.k8s.io "${name}" not found`, 'NotFound');
    }
    const body = (text ? JSON.parse(text) : {}) as Json;
    const bodyName = String(body['metadata']?.['name'] ?? '');
    if (method === 'POST' && name === undefined) {
      if (this.lease(bodyName, namespace)) return status(409, `leases.coordination.k8s.io "${bodyName}" already exists`, 'AlreadyExists');
      return answer(201, this.putLease(bodyName, body['spec'] ?? {}, namespace));
    }
    if (method === 'PUT' && name !== undefined && this.interposeLeaseWrite && stored) {
      this.putLease(name, this.interposeLeaseWrite, namespace);
      this.interposeLeaseWrite = undefined;
      return this.#handleLease(method, namespace, name, text, response, status);
    }
    if (method === 'PUT' && name !== undefined) {
      if (!stored) return status(404, `leases.coordination.k8s.io "${name}" not found`, 'NotFound');
      const expected = body['metadata']?.['resourceVersion'];
      // As the real server, an update naming a resourceVersion must name the current one.
      if (expected !== undefined && expected !== stored['metadata']['resourceVersion']) {
        return status(
          409,
          `Operation cannot be fulfilled on leases.coordination.k8s.io "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          'Conflict',
        );
      }
      return answer(200, this.putLease(name, body['spec'] ?? {}, namespace));
    }
    status(405, 'method not allowed');
  }
}

/** A KFP workflow object as the Argo controller writes it. */
export function kfpWorkflow(name: string, runId: string, phase: string, extraLabels: Record<string, string> = {}): Json {
  const finished = ['Succeeded', 'Failed', 'Error'].includes(phase);
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: {
      name,
      labels: {
        'pipeline/runid': runId,
        'workflows.argoproj.io/phase': phase,
        'workflows.argoproj.io/completed': String(finished),
        ...extraLabels,
      },
    },
    spec: { entrypoint: 'main' },
    status: { phase, startedAt: '2024-05-01T10:00:00Z', finishedAt: finished ? '2024-05-01T10:05:00Z' : null },
  };
}
