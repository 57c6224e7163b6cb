import { CoordinationV1Api, type KubeConfig, Observable, type ObservableMiddleware, type V1Lease } from '@kubernetes/client-node';
import { errorMessage } from '../../domain/error-message.js';
import {
  type LeaderElectionTiming,
  leaderElectionTimingProblems,
  type LeaseRecord,
  leadershipDeadline,
  mustStepDown,
  nextAttemptDelayMs,
  nextLeaseAttempt,
  type ObservedLease,
  observeLease,
  releasedLease,
} from '../../domain/leader-election.js';
import type { Clock } from '../../ports/clock.js';
import type { LeaderElector, LeadershipListener } from '../../ports/leader-elector.js';
import type { LeadershipMetrics } from '../../ports/leadership-metrics.js';
import type { Logger } from '../../ports/logger.js';
import { backendErrorStatus } from '../shared/backend-error-status.js';
import { leaseObject, leaseRecordOf } from './lease-object.js';

/** Options of {@link KubernetesLeaseElector}. */
export interface KubernetesLeaseElectorOptions {
  readonly kubeConfig: KubeConfig;
  /** The `coordination.k8s.io/v1` Lease the replicas compete for. */
  readonly lease: { readonly namespace: string; readonly name: string };
  /** This replica's holder identity; unique among the replicas (the pod name). */
  readonly identity: string;
  readonly timing: LeaderElectionTiming;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: LeadershipMetrics;
  /** Jitter of a candidate's retries, in [0, 1); tests pin it. */
  readonly random?: () => number;
}

// A hung request must not hold up the election past the renew deadline; client-node has no
// request timeout of its own, so each request carries an abort signal.
function timeoutOf(timeoutMs: number): ObservableMiddleware {
  return {
    pre: (context) => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
}

/**
 * Leader election on a Kubernetes Lease with client-go's semantics, behind the
 * {@link LeaderElector} port: a candidate reads the lease every 1–2.2 retry periods and takes it
 * when it is absent, released or expired by its own observation; the leader renews every retry
 * period with the lease's `resourceVersion` (a 409 means another replica won) and steps down as
 * soon as it holds a lease it could not renew for the renew deadline, sees another holder, or
 * loses a conflict, which is before any other replica may take over. Stopping as leader releases
 * the lease (clears the holder) so that a standby takes over at its next attempt.
 */
export class KubernetesLeaseElector implements LeaderElector {
  readonly #options: KubernetesLeaseElectorOptions;
  readonly #api: CoordinationV1Api;
  readonly #requestOptions: { middleware: ObservableMiddleware[]; middlewareMergeStrategy: 'append' };
  #listener: LeadershipListener | undefined;
  #observed: ObservedLease | undefined;
  #leading = false;
  #stopped = false;
  #stopping: Promise<void> | undefined;
  #attempt: Promise<void> | undefined;
  #attemptTimer: NodeJS.Timeout | undefined;
  #deadlineTimer: NodeJS.Timeout | undefined;
  /** The failure last logged, so that a lasting outage is logged once rather than every attempt. */
  #failure: string | undefined;
  /** When the lease another replica holds expires, as far as this one saw; `undefined` otherwise. */
  #waitingUntil: Date | undefined;
  /** The other holder last logged, so that a standby logs each new leader once. */
  #leaderSeen: string | undefined;

  constructor(options: KubernetesLeaseElectorOptions) {
    const problems = leaderElectionTimingProblems(options.timing);
    if (problems.length > 0) throw new RangeError(`invalid leader election timing: ${problems.join('; ')}`);
    if (options.identity === '') throw new RangeError('the holder identity must not be empty');
    this.#options = options;
    this.#api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.#requestOptions = { middleware: [timeoutOf(options.timing.renewDeadlineMs)], middlewareMergeStrategy: 'append' };
  }

  /** The first attempt's failure rejects, naming the lease and the permissions it needs. */
  async start(listener: LeadershipListener): Promise<void> {
    if (this.#listener) throw new Error('the leader elector was started already');
    this.#listener = listener;
    this.#options.metrics.setLeader(false);
    this.#attempt = this.#tryAcquireOrRenew().finally(() => (this.#attempt = undefined));
    try {
      await this.#attempt;
    } catch (error) {
      const { namespace, name } = this.#options.lease;
      const server = this.#options.kubeConfig.getCurrentCluster()?.server ?? '(no cluster configured)';
      throw new Error(
        `cannot hold the leader election on Lease ${namespace}/${name} at ${server}: ${errorMessage(error)}; ` +
          `the ServiceAccount needs get, create and update on leases (coordination.k8s.io) in namespace ${namespace}`,
        { cause: error },
      );
    }
    this.#schedule();
  }

  isLeader(): boolean {
    return this.#leading;
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#stopped = true;
      clearTimeout(this.#attemptTimer);
      await this.#attempt?.catch(() => undefined);
      if (this.#leading) await this.#release();
      clearTimeout(this.#deadlineTimer);
    })();
    return this.#stopping;
  }

  #schedule(): void {
    if (this.#stopped) return;
    const { clock, random, timing } = this.#options;
    const state = { leading: this.#leading, ...(this.#waitingUntil ? { waitingUntil: this.#waitingUntil } : {}) };
    const delay = nextAttemptDelayMs(state, clock.now(), timing, (random ?? Math.random)());
    this.#attemptTimer = setTimeout(() => {
      this.#attempt = this.#tryAcquireOrRenew()
        .catch((error: unknown) => this.#onFailure(error))
        .finally(() => {
          this.#attempt = undefined;
          this.#schedule();
        });
    }, delay);
    this.#attemptTimer.unref();
  }

  async #tryAcquireOrRenew(): Promise<void> {
    const { clock, identity, timing } = this.#options;
    const startedAt = clock.now();
    const current = await this.#read();
    const now = clock.now();
    const revision = current?.metadata?.resourceVersion ?? '';
    this.#observed = current ? observeLease(this.#observed, { record: leaseRecordOf(current), revision }, now) : undefined;
    const attempt = nextLeaseAttempt(this.#observed, identity, now, timing);
    this.#waitingUntil = attempt.kind === 'wait' ? attempt.expiresAt : undefined;
    if (attempt.kind === 'wait') {
      this.#stepDown(`the lease is held by ${attempt.holder}`);
      if (attempt.holder !== this.#leaderSeen)
        this.#options.logger.info('another replica leads', { lease: this.#leaseName(), leader: attempt.holder });
      this.#leaderSeen = attempt.holder;
      return;
    }
    // Stopping: a standby takes nothing more, and a leader's last word is the release.
    if (this.#stopped) return;
    let written: V1Lease;
    try {
      written = attempt.kind === 'create' ? await this.#create(attempt.record) : await this.#replace(attempt.record, revision);
    } catch (error) {
      if (backendErrorStatus(error) !== 409) throw error;
      this.#stepDown('another replica wrote the lease first');
      return;
    }
    this.#observed = observeLease(
      undefined,
      { record: leaseRecordOf(written), revision: written.metadata?.resourceVersion ?? '' },
      clock.now(),
    );
    this.#renewed(startedAt, attempt.kind === 'take-over' ? attempt.previousHolder : undefined);
  }

  #renewed(startedAt: Date, previousHolder: string | undefined): void {
    const { clock, logger, metrics, timing } = this.#options;
    if (this.#failure !== undefined) logger.info('lease reachable again', { lease: this.#leaseName() });
    this.#failure = undefined;
    // A write that took longer than the renew deadline may already count as expired elsewhere.
    if (mustStepDown(startedAt, clock.now(), timing)) {
      this.#stepDown('renewing the lease took longer than the renew deadline');
      return;
    }
    clearTimeout(this.#deadlineTimer);
    const remainingMs = leadershipDeadline(startedAt, timing).getTime() - clock.now().getTime();
    this.#deadlineTimer = setTimeout(() => this.#stepDown('the lease could not be renewed within the renew deadline'), remainingMs);
    this.#deadlineTimer.unref();
    if (this.#leading) return;
    this.#leading = true;
    metrics.setLeader(true);
    metrics.countLeadershipAcquired();
    logger.info('became the leader', {
      lease: this.#leaseName(),
      identity: this.#options.identity,
      ...(previousHolder ? { previousHolder } : {}),
      transitions: this.#observed?.record.leaseTransitions ?? 0,
    });
    this.#listener?.startedLeading();
  }

  #stepDown(reason: string, level: 'info' | 'warn' = 'warn'): void {
    if (!this.#leading) return;
    this.#leading = false;
    clearTimeout(this.#deadlineTimer);
    this.#options.metrics.setLeader(false);
    this.#options.logger[level]('stopped leading', { lease: this.#leaseName(), reason });
    this.#listener?.stoppedLeading(reason);
  }

  async #release(): Promise<void> {
    const observed = this.#observed;
    this.#stepDown('stopping', 'info');
    if (!observed) return;
    try {
      await this.#replace(releasedLease(observed.record, this.#options.clock.now()), observed.revision);
      this.#options.logger.info('released the lease', { lease: this.#leaseName() });
    } catch (error) {
      this.#options.logger.warn('could not release the lease; another replica takes over once it expires', {
        lease: this.#leaseName(),
        error: errorMessage(error),
      });
    }
  }

  #onFailure(error: unknown): void {
    const message = errorMessage(error);
    if (message === this.#failure) return;
    this.#failure = message;
    this.#options.logger.warn('leader election attempt failed; retrying', {
      lease: this.#leaseName(),
      leading: this.#leading,
      error: message,
    });
  }

  #leaseName(): string {
    return `${this.#options.lease.namespace}/${this.#options.lease.name}`;
  }

  async #read(): Promise<V1Lease | undefined> {
    try {
      return await this.#api.readNamespacedLease({ ...this.#options.lease }, this.#requestOptions);
    } catch (error) {
      if (backendErrorStatus(error) === 404) return undefined;
      throw error;
    }
  }

  #create(record: LeaseRecord): Promise<V1Lease> {
    return this.#api.createNamespacedLease(
      { namespace: this.#options.lease.namespace, body: leaseObject(this.#options.lease, record) },
      this.#requestOptions,
    );
  }

  #replace(record: LeaseRecord, resourceVersion: string): Promise<V1Lease> {
    return this.#api.replaceNamespacedLease(
      { ...this.#options.lease, body: leaseObject(this.#options.lease, record, resourceVersion) },
      this.#requestOptions,
    );
  }
}
