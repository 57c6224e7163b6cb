import { CustomObjectsApi, type KubeConfig, type KubernetesObject, ListWatch } from '@kubernetes/client-node';
import { RetryBackoff } from '../../application/retry-backoff.js';
import { configDefaults } from '../../config/config-defaults.js';
import { errorMessage } from '../../domain/error-message.js';
import {
  eventsPublishedPatch,
  isFinishedUnpublishedKfpWorkflow,
  readKfpWorkflow,
  unpublishedKfpWorkflowSelector,
} from '../../domain/kfp/argo-workflow.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { RunEventMessage, RunEventSource, RunEventSourceHealth } from '../../ports/run-event-source.js';
import { backendErrorStatus } from '../shared/backend-error-status.js';
import { ConnectionHealth } from '../shared/connection-health.js';
import { HandoffQueue } from '../shared/handoff-queue.js';
import { RecentIds } from '../shared/recent-ids.js';
import { SettledWatch } from './settled-watch.js';
import { type WorkflowList, workflowListOf } from './workflow-list.js';

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
  /**
   * How long the API server may stay unreachable (no list or watch request succeeds) before the
   * source fails for good; default `EVENTS_SOURCE_RECONNECT_BUDGET_MS`'s.
   */
  readonly reconnectBudgetMs?: number;
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
  readonly object: KubernetesObject;
  readonly firstSeenAt: Date;
}

function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/**
 * Run events from finished KFP Argo Workflows: list + watch of the workflows labelled
 * `pipeline/runid` and not yet `events-published`, in one namespace or all. A finished workflow
 * becomes a message whether it arrives as an add (e.g. the initial list after a restart) or an
 * update; acknowledging the message labels the workflow `events-published=true`, so it leaves the
 * selection for good. Released messages are queued again; a periodic re-list catches what a
 * stalled watch missed; a failed watch is restarted with jittered backoff (a 410 Gone re-lists inside the
 * informer). The queue holds one entry per workflow, so it is bounded by the watched workflows.
 * The source counts as connected while its last list or watch request succeeded; when none has
 * for longer than `reconnectBudgetMs`, it fails for good.
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
  #health: ConnectionHealth | undefined;
  #failure: Error | undefined;
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
        else this.#health?.lost(`listing Argo workflows failed: ${errorMessage(error)}`);
        throw error;
      }
    };
    const watch = new SettledWatch(options.kubeConfig, {
      stopped: () => this.#pending.closed,
      connected: () => {
        this.#restartAttempt = 0;
        this.#health?.connected();
      },
      failed: (error) => this.#health?.lost(`watching Argo workflows failed: ${errorMessage(error)}`),
    });
    this.#informer = new ListWatch(path, watch, list, false, unpublishedKfpWorkflowSelector);
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
    this.#failure = undefined;
    const starting: { listFailure?: unknown } = {};
    this.#starting = starting;
    try {
      await this.#informer.start();
    } finally {
      this.#starting = undefined;
    }
    const where = this.#options.namespace ? `namespace ${this.#options.namespace}` : 'all namespaces';
    const server = this.#options.kubeConfig.getCurrentCluster()?.server ?? '(no cluster configured)';
    if (starting.listFailure !== undefined) {
      await this.#informer.stop();
      throw new Error(`cannot list Argo workflows in ${where} at ${server}: ${errorMessage(starting.listFailure)}`, {
        cause: starting.listFailure,
      });
    }
    this.#health = new ConnectionHealth({
      name: `Kubernetes API server ${server} (Argo workflows in ${where})`,
      budgetMs: this.#options.reconnectBudgetMs ?? configDefaults.eventsSourceReconnectBudgetMs,
      logger: this.#options.logger,
      onGiveUp: (failure) => void this.#giveUp(failure),
    });
    this.#health.connected();
    this.#relistTimer = setInterval(() => void this.#relist(), this.#options.relistIntervalMs ?? defaults.relistIntervalMs);
    this.#relistTimer.unref();
  }

  async stop(): Promise<void> {
    this.#health?.close();
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
    if (this.#failure) throw this.#failure;
  }

  health(): RunEventSourceHealth {
    return this.#health?.health() ?? { connected: false, reason: 'not started', reconnects: 0 };
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
    this.#health?.connected();
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
      // A watch can hang on a dead connection without an error: a failed list is the sign.
      this.#health?.lost(`listing Argo workflows failed: ${errorMessage(error)}`);
      this.#options.logger.warn('periodic list of Argo workflows failed', { error: errorMessage(error) });
    }
  }

  // Messages handed out can still be acked: the API client stays usable for the label patch.
  async #giveUp(failure: string): Promise<void> {
    this.#failure = new Error(failure);
    await this.stop();
  }

  #onWatchError(error: unknown): void {
    // A failed start-up list is reported by `start` itself.
    if (this.#pending.closed || this.#starting?.listFailure !== undefined || this.#health?.failed) return;
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
