import {
  CustomObjectsApi,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ObjectCache,
  makeInformer,
} from '@kubernetes/client-node';
import {
  eventsPublishedPatch,
  isFinishedUnpublishedKfpWorkflow,
  readKfpWorkflow,
  unpublishedKfpWorkflowSelector,
} from '../../domain/kfp/argo-workflow.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { RunEventMessage, RunEventSource } from '../../ports/run-event-source.js';

/** Options of {@link ArgoWorkflowEventSource}. */
export interface ArgoWorkflowEventSourceOptions {
  readonly kubeConfig: KubeConfig;
  /** `kfpNamespace`; `""` watches every namespace (KFP multi-user runs live in profile namespaces). */
  readonly namespace: string;
  readonly logger: Logger;
  readonly clock: Clock;
  /** How often the workflows are listed again, besides the watch. */
  readonly relistIntervalMs?: number;
  /** First delay before restarting a failed watch; doubles up to `restartMaxDelayMs`. */
  readonly restartDelayMs?: number;
  readonly restartMaxDelayMs?: number;
}

const workflows = Object.freeze({ group: 'argoproj.io', version: 'v1alpha1', plural: 'workflows' });

const defaults = Object.freeze({
  // The watch of client-node 1.4 can hang on a silently dead connection; a periodic list bounds
  // how late a completion missed that way is noticed. The selector keeps the list small.
  relistIntervalMs: 120_000,
  restartDelayMs: 1000,
  restartMaxDelayMs: 30_000,
  // Keys of workflows marked published, remembered so that the DELETED notification our own patch
  // causes (it carries the object from before the patch) is not taken for a new completion.
  rememberedPublished: 10_000,
});

interface Pending {
  object: KubernetesObject;
  readonly firstSeenAt: Date;
}

function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown; statusCode?: unknown }).code ?? (error as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Run events from finished KFP Argo Workflows: list + watch of the workflows labelled
 * `pipeline/runid` and not yet `events-published`, in one namespace or all. A finished workflow
 * becomes a message whether it arrives as an add (e.g. the initial list after a restart) or an
 * update; acknowledging the message labels the workflow `events-published=true`, so it leaves the
 * selection for good. Released messages are queued again; a periodic re-list catches what a
 * stalled watch missed; a failed watch is restarted with backoff (a 410 Gone re-lists inside the
 * informer). The queue holds one entry per workflow, so it is bounded by the watched workflows.
 */
export class ArgoWorkflowEventSource implements RunEventSource {
  readonly #options: ArgoWorkflowEventSourceOptions;
  readonly #api: CustomObjectsApi;
  readonly #informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
  readonly #pending = new Map<string, Pending>();
  readonly #inFlight = new Set<string>();
  readonly #unpatched = new Set<string>();
  readonly #published = new Set<string>();
  readonly #waiters: Array<() => void> = [];
  #stopped = false;
  #relistTimer: NodeJS.Timeout | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #restartAttempt = 0;

  constructor(options: ArgoWorkflowEventSourceOptions) {
    this.#options = options;
    this.#api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    const path = options.namespace
      ? `/apis/${workflows.group}/${workflows.version}/namespaces/${encodeURIComponent(options.namespace)}/${workflows.plural}`
      : `/apis/${workflows.group}/${workflows.version}/${workflows.plural}`;
    this.#informer = makeInformer(options.kubeConfig, path, () => this.#list(), unpublishedKfpWorkflowSelector);
    this.#informer.on('add', (object) => this.#offer(object));
    this.#informer.on('update', (object) => this.#offer(object));
    this.#informer.on('delete', (object) => this.#onDelete(object));
    this.#informer.on('error', (error) => this.#onWatchError(error));
  }

  /** Lists the workflows once (rejecting when the API server cannot be reached), then starts watching. */
  async start(): Promise<void> {
    this.#stopped = false;
    let list;
    try {
      list = await this.#list();
    } catch (error) {
      const where = this.#options.namespace ? `namespace ${this.#options.namespace}` : 'all namespaces';
      const server = this.#options.kubeConfig.getCurrentCluster()?.server ?? '(no cluster configured)';
      throw new Error(`cannot list Argo workflows in ${where} at ${server}: ${(error as Error).message}`, { cause: error });
    }
    for (const object of list.items) this.#offer(object);
    await this.#informer.start();
    this.#relistTimer = setInterval(() => void this.#relist(), this.#options.relistIntervalMs ?? defaults.relistIntervalMs);
    this.#relistTimer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#relistTimer);
    clearTimeout(this.#restartTimer);
    await this.#informer.stop();
    for (const wake of this.#waiters.splice(0)) wake();
  }

  async *messages(): AsyncIterable<RunEventMessage> {
    while (!this.#stopped) {
      const next = this.#pending.entries().next();
      if (next.done) {
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
        continue;
      }
      const [key, entry] = next.value;
      this.#pending.delete(key);
      this.#inFlight.add(key);
      yield this.#message(key, entry);
    }
  }

  #message(key: string, entry: Pending): RunEventMessage {
    return {
      id: key,
      payload: entry.object,
      firstSeenAt: entry.firstSeenAt,
      ack: () => this.#markPublished(key, entry.object),
      release: async () => {
        this.#inFlight.delete(key);
        const latest = this.#informer.get(entry.object.metadata?.name ?? '', entry.object.metadata?.namespace) ?? entry.object;
        this.#enqueue(key, { object: latest, firstSeenAt: entry.firstSeenAt });
      },
    };
  }

  async #list(): Promise<{ items: KubernetesObject[]; metadata?: { resourceVersion?: string } }> {
    const request = { ...workflows, labelSelector: unpublishedKfpWorkflowSelector };
    const list = this.#options.namespace
      ? await this.#api.listNamespacedCustomObject({ ...request, namespace: this.#options.namespace })
      : await this.#api.listClusterCustomObject(request);
    this.#restartAttempt = 0;
    return { items: Array.isArray(list?.items) ? list.items : [], metadata: list?.metadata };
  }

  #offer(object: KubernetesObject): void {
    this.#restartAttempt = 0;
    const key = keyOf(object);
    if (!isFinishedUnpublishedKfpWorkflow(readKfpWorkflow(object))) return;
    if (this.#inFlight.has(key) || this.#unpatched.has(key) || this.#published.has(key)) return;
    const pending = this.#pending.get(key);
    if (pending) pending.object = object;
    else this.#enqueue(key, { object, firstSeenAt: this.#options.clock.now() });
  }

  #enqueue(key: string, entry: Pending): void {
    if (this.#stopped) return;
    this.#pending.set(key, entry);
    this.#waiters.shift()?.();
  }

  #onDelete(object: KubernetesObject): void {
    const key = keyOf(object);
    // A finished workflow deleted (e.g. by its TTL) before its completion was delivered is still
    // reported: the deleted object carries everything the event needs. Otherwise forget it.
    if (this.#pending.has(key) && !this.#published.has(key)) return;
    this.#pending.delete(key);
  }

  async #markPublished(key: string, object: KubernetesObject): Promise<void> {
    this.#inFlight.delete(key);
    this.#pending.delete(key);
    this.#remember(key);
    const patched = await this.#patch(object);
    if (!patched) this.#unpatched.add(key);
  }

  async #patch(object: KubernetesObject): Promise<boolean> {
    const name = object.metadata?.name ?? '';
    const namespace = object.metadata?.namespace ?? '';
    try {
      await this.#api.patchNamespacedCustomObject({ ...workflows, namespace, name, body: eventsPublishedPatch() });
      return true;
    } catch (error) {
      // A workflow deleted in the meantime needs no mark.
      if (statusCode(error) === 404) return true;
      this.#options.logger.warn('could not label workflow as published; retrying at the next re-list', {
        workflow: `${namespace}/${name}`,
        error: (error as Error).message,
      });
      return false;
    }
  }

  #remember(key: string): void {
    this.#published.delete(key);
    this.#published.add(key);
    if (this.#published.size > defaults.rememberedPublished) {
      const oldest = this.#published.values().next().value;
      if (oldest !== undefined) this.#published.delete(oldest);
    }
  }

  async #relist(): Promise<void> {
    if (this.#stopped) return;
    try {
      const list = await this.#list();
      const listed = new Map(list.items.map((object) => [keyOf(object), object]));
      for (const key of [...this.#unpatched]) {
        const object = listed.get(key);
        if (!object || (await this.#patch(object))) this.#unpatched.delete(key);
      }
      for (const object of list.items) this.#offer(object);
    } catch (error) {
      this.#options.logger.warn('periodic list of Argo workflows failed', { error: (error as Error).message });
    }
  }

  #onWatchError(error: unknown): void {
    if (this.#stopped) return;
    const delay = Math.min(
      this.#options.restartMaxDelayMs ?? defaults.restartMaxDelayMs,
      (this.#options.restartDelayMs ?? defaults.restartDelayMs) * 2 ** Math.min(this.#restartAttempt, 20),
    );
    this.#restartAttempt += 1;
    this.#options.logger.warn('Argo workflow watch failed; restarting', { error: String((error as Error)?.message ?? error), delayMs: delay });
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      if (!this.#stopped) void this.#informer.start();
    }, delay);
    this.#restartTimer.unref();
  }
}
