import {
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  ListWatch,
  Watch,
} from '@kubernetes/client-node';
import { RetryBackoff } from '../../application/retry-backoff.js';
import { errorMessage } from '../../domain/error-message.js';
import {
  eventsPublishedPatch,
  isFinishedUnpublishedKfpWorkflow,
  readKfpWorkflow,
  unpublishedKfpWorkflowSelector,
} from '../../domain/kfp/argo-workflow.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { RunEventMessage, RunEventSource } from '../../ports/run-event-source.js';
import { backendErrorStatus } from '../shared/backend-error-status.js';
import { HandoffQueue } from '../shared/handoff-queue.js';
import { RecentIds } from '../shared/recent-ids.js';

/** Options of {@link ArgoWorkflowEventSource}. */
export interface ArgoWorkflowEventSourceOptions {
  readonly kubeConfig: KubeConfig;
  /** `kfpNamespace`; `""` watches every namespace (KFP multi-user runs live in profile namespaces). */
  readonly namespace: string;
  readonly logger: Logger;
  readonly clock: Clock;
  /** How often the workflows are listed again, besides the watch. */
  readonly relistIntervalMs?: number;
  /**
   * First delay before restarting a failed watch; doubles up to `restartMaxDelayMs`, each delay
   * jittered (see {@link RetryBackoff}) so that replicas do not restart in lock-step.
   */
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

type WorkflowList = KubernetesListObject<KubernetesObject>;

interface Pending {
  readonly object: KubernetesObject;
  readonly firstSeenAt: Date;
}

function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/**
 * client-node types the answer of a custom-object list as `any`; only the items and the list's
 * resource version (where the informer's watch resumes) are read, and a malformed answer reads
 * as an empty list.
 */
function workflowListOf(body: unknown): WorkflowList {
  const { items, metadata } = (typeof body === 'object' && body !== null ? body : {}) as { items?: unknown; metadata?: unknown };
  const resourceVersion = (metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion;
  return {
    items: Array.isArray(items) ? (items as KubernetesObject[]) : [],
    metadata: typeof resourceVersion === 'string' ? { resourceVersion } : {},
  };
}

/**
 * client-node's watch throws before its own error handling when there is no current cluster or
 * the credentials cannot be had (e.g. a failing exec plugin). The informer calls it from its
 * done-callback without awaiting, so that throw would be an unhandled rejection that ends the
 * process; here it is reported through `done` instead, which reaches the informer's error handlers.
 * The informer also reconnects after its reconnect delay without looking whether it was stopped
 * meanwhile, so a stopped source opens no watch, and one connected while it stopped is closed.
 */
class SettledWatch extends Watch {
  constructor(
    config: KubeConfig,
    private readonly stopped: () => boolean,
  ) {
    super(config);
  }

  override async watch(...args: Parameters<Watch['watch']>): Promise<AbortController> {
    if (this.stopped()) return new AbortController();
    try {
      const request = await super.watch(...args);
      if (this.stopped()) request.abort();
      return request;
    } catch (error) {
      const done = args[3];
      done(error);
      return new AbortController();
    }
  }
}

/**
 * Run events from finished KFP Argo Workflows: list + watch of the workflows labelled
 * `pipeline/runid` and not yet `events-published`, in one namespace or all. A finished workflow
 * becomes a message whether it arrives as an add (e.g. the initial list after a restart) or an
 * update; acknowledging the message labels the workflow `events-published=true`, so it leaves the
 * selection for good. Released messages are queued again; a periodic re-list catches what a
 * stalled watch missed; a failed watch is restarted with jittered backoff (a 410 Gone re-lists inside the
 * informer). The queue holds one entry per workflow, so it is bounded by the watched workflows.
 */
export class ArgoWorkflowEventSource implements RunEventSource {
  readonly #options: ArgoWorkflowEventSourceOptions;
  readonly #api: CustomObjectsApi;
  readonly #informer: ListWatch<KubernetesObject>;
  /** Finished workflows not handed out yet, one entry per workflow; closed once stopped. */
  readonly #pending = new HandoffQueue<Pending>({ keyOf: (entry) => keyOf(entry.object) });
  readonly #inFlight = new Set<string>();
  readonly #unpatched = new Set<string>();
  readonly #published = new RecentIds(defaults.rememberedPublished);
  readonly #restartBackoff: RetryBackoff;
  /** Set while {@link start} runs: the first list failure lands here instead of a restart. */
  #starting: { listFailure?: unknown } | undefined;
  #relistTimer: NodeJS.Timeout | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  #restartAttempt = 0;

  constructor(options: ArgoWorkflowEventSourceOptions) {
    this.#options = options;
    this.#restartBackoff = new RetryBackoff({
      initialMs: options.restartDelayMs ?? defaults.restartDelayMs,
      maxMs: options.restartMaxDelayMs ?? defaults.restartMaxDelayMs,
    });
    this.#api = options.kubeConfig.makeApiClient(CustomObjectsApi);
    const path = options.namespace
      ? `/apis/${workflows.group}/${workflows.version}/namespaces/${encodeURIComponent(options.namespace)}/${workflows.plural}`
      : `/apis/${workflows.group}/${workflows.version}/${workflows.plural}`;
    // The informer's own first list is the start-up list: `start` reports its failure.
    const list = async (): Promise<WorkflowList> => {
      try {
        return await this.#list();
      } catch (error) {
        if (this.#starting) this.#starting.listFailure ??= error;
        throw error;
      }
    };
    this.#informer = new ListWatch(
      path,
      new SettledWatch(options.kubeConfig, () => this.#pending.closed),
      list,
      false,
      unpublishedKfpWorkflowSelector,
    );
    this.#informer.on('add', (object) => this.#offer(object));
    this.#informer.on('update', (object) => this.#offer(object));
    this.#informer.on('delete', (object) => this.#onDelete(object));
    this.#informer.on('error', (error) => this.#onWatchError(error));
  }

  /**
   * Lists the workflows once (rejecting when the API server cannot be reached or refuses), then
   * starts watching; the informer's list is that one list, its items arrive as adds.
   */
  async start(): Promise<void> {
    this.#pending.reopen();
    const starting: { listFailure?: unknown } = {};
    this.#starting = starting;
    try {
      await this.#informer.start();
    } finally {
      this.#starting = undefined;
    }
    if (starting.listFailure !== undefined) {
      await this.#informer.stop();
      const where = this.#options.namespace ? `namespace ${this.#options.namespace}` : 'all namespaces';
      const server = this.#options.kubeConfig.getCurrentCluster()?.server ?? '(no cluster configured)';
      throw new Error(`cannot list Argo workflows in ${where} at ${server}: ${errorMessage(starting.listFailure)}`, {
        cause: starting.listFailure,
      });
    }
    this.#relistTimer = setInterval(() => void this.#relist(), this.#options.relistIntervalMs ?? defaults.relistIntervalMs);
    this.#relistTimer.unref();
  }

  async stop(): Promise<void> {
    this.#pending.close();
    clearInterval(this.#relistTimer);
    clearTimeout(this.#restartTimer);
    await this.#informer.stop();
  }

  async *messages(): AsyncIterable<RunEventMessage> {
    for (let entry = await this.#pending.take(); entry; entry = await this.#pending.take()) {
      const key = keyOf(entry.object);
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
        this.#enqueue({ object: latest, firstSeenAt: entry.firstSeenAt });
      },
    };
  }

  async #list(): Promise<WorkflowList> {
    const request = { ...workflows, labelSelector: unpublishedKfpWorkflowSelector };
    const body: unknown = this.#options.namespace
      ? await this.#api.listNamespacedCustomObject({ ...request, namespace: this.#options.namespace })
      : await this.#api.listClusterCustomObject(request);
    this.#restartAttempt = 0;
    return workflowListOf(body);
  }

  #offer(object: KubernetesObject): void {
    this.#restartAttempt = 0;
    const key = keyOf(object);
    if (!isFinishedUnpublishedKfpWorkflow(readKfpWorkflow(object))) return;
    if (this.#inFlight.has(key) || this.#unpatched.has(key) || this.#published.has(key)) return;
    // A newer version of a workflow still queued takes its place, keeping when it was first seen.
    this.#enqueue({ object, firstSeenAt: this.#pending.get(key)?.firstSeenAt ?? this.#options.clock.now() });
  }

  #enqueue(entry: Pending): void {
    if (!this.#pending.closed) this.#pending.push(entry);
  }

  #onDelete(object: KubernetesObject): void {
    const key = keyOf(object);
    // A finished workflow deleted (e.g. by its TTL) before its completion was delivered is still
    // reported: the deleted object carries everything the event needs. Otherwise forget it.
    if (this.#pending.get(key) && !this.#published.has(key)) return;
    this.#pending.delete(key);
  }

  async #markPublished(key: string, object: KubernetesObject): Promise<void> {
    this.#inFlight.delete(key);
    this.#pending.delete(key);
    this.#published.add(key);
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
      if (backendErrorStatus(error) === 404) return true;
      this.#options.logger.warn('could not label workflow as published; retrying at the next re-list', {
        workflow: `${namespace}/${name}`,
        error: errorMessage(error),
      });
      return false;
    }
  }

  async #relist(): Promise<void> {
    if (this.#pending.closed) return;
    try {
      const list = await this.#list();
      const listed = new Map(list.items.map((object) => [keyOf(object), object]));
      for (const key of [...this.#unpatched]) {
        const object = listed.get(key);
        if (!object || (await this.#patch(object))) this.#unpatched.delete(key);
      }
      for (const object of list.items) this.#offer(object);
    } catch (error) {
      this.#options.logger.warn('periodic list of Argo workflows failed', { error: errorMessage(error) });
    }
  }

  #onWatchError(error: unknown): void {
    // A failed start-up list is reported by `start` itself.
    if (this.#pending.closed || this.#starting?.listFailure !== undefined) return;
    const delay = this.#restartBackoff.delayMs(this.#restartAttempt);
    this.#restartAttempt += 1;
    this.#options.logger.warn('Argo workflow watch failed; restarting', { error: errorMessage(error), delayMs: delay });
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => {
      if (this.#pending.closed) return;
      // Whatever still escapes the informer goes the same way as a watch failure: never unhandled.
      this.#informer.start().catch((failure: unknown) => this.#onWatchError(failure));
    }, delay);
    this.#restartTimer.unref();
  }
}
