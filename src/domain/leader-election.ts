/**
 * The rules of leader election on a Kubernetes Lease, with the semantics of client-go's
 * `leaderelection` package: one holder at a time, optimistic concurrency on the object's
 * revision, expiry measured by each candidate's own clock from when it saw the record change
 * (never from the holder's `renewTime`, so clock skew between nodes does not matter), and a
 * leader that gives up before its lease can expire in the eyes of the others.
 */

/** How long a lease lasts and how often it is renewed, as client-go names them. */
export interface LeaderElectionTiming {
  /** How long a candidate waits, from when it saw the last change of a held lease, before taking it over. */
  readonly leaseDurationMs: number;
  /** How long a leader keeps trying to renew before it stops leading; shorter than the lease duration. */
  readonly renewDeadlineMs: number;
  /** How often a leader renews, and (with jitter) how often a candidate tries to acquire. */
  readonly retryPeriodMs: number;
}

/** client-go's defaults, which kube-controller-manager and most controllers run with. */
export const leaderElectionDefaults: LeaderElectionTiming = Object.freeze({
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2000,
});

/** client-go's jitter factor: a candidate waits between 1 and 2.2 retry periods between attempts. */
export const candidateJitterFactor = 1.2;

/** The spec of a Lease object, as far as the election reads and writes it. */
export interface LeaseRecord {
  /** Who holds the lease; `""` when nobody does (released). */
  readonly holderIdentity: string;
  /** The lease duration the holder announces, in whole seconds. */
  readonly leaseDurationSeconds: number;
  /** When the current holder acquired it. */
  readonly acquireTime?: Date;
  /** When the current holder last renewed it, by the holder's clock. */
  readonly renewTime?: Date;
  /** How many times the lease changed hands. */
  readonly leaseTransitions: number;
}

/** A lease record as this candidate last saw it. */
export interface ObservedLease {
  readonly record: LeaseRecord;
  /** The object's revision (its `resourceVersion`): any write changes it. */
  readonly revision: string;
  /** When, by this candidate's clock, the revision was first seen. Expiry is measured from here. */
  readonly observedAt: Date;
}

/** What a candidate does after reading the lease. */
export type LeaseAttempt =
  /** There is no lease yet: create it, held by this candidate. */
  | { readonly kind: 'create'; readonly record: LeaseRecord }
  /** This candidate holds the lease: write it again with a fresh `renewTime`. */
  | { readonly kind: 'renew'; readonly record: LeaseRecord }
  /** The lease was released or has expired: write it with this candidate as holder. */
  | { readonly kind: 'take-over'; readonly record: LeaseRecord; readonly previousHolder: string }
  /** Another candidate holds a valid lease: try again later. */
  | { readonly kind: 'wait'; readonly holder: string; readonly expiresAt: Date };

/**
 * Why a timing cannot work, one sentence each; empty when it can. The lease must outlast the
 * renew deadline (the margin is what keeps two leaders apart), and the deadline must leave room
 * for more than one jittered retry.
 */
export function leaderElectionTimingProblems(timing: LeaderElectionTiming): string[] {
  const problems: string[] = [];
  if (!(timing.retryPeriodMs > 0)) problems.push('the retry period must be positive');
  if (!(timing.leaseDurationMs > timing.renewDeadlineMs)) problems.push('the lease duration must be longer than the renew deadline');
  if (!(timing.renewDeadlineMs > candidateJitterFactor * timing.retryPeriodMs)) {
    problems.push(`the renew deadline must be longer than ${candidateJitterFactor} times the retry period`);
  }
  return problems;
}

/** The lease duration written into the record: whole seconds, rounded up so that it never shortens the configured one. */
export function leaseDurationSecondsOf(timing: LeaderElectionTiming): number {
  return Math.max(1, Math.ceil(timing.leaseDurationMs / 1000));
}

/**
 * The observation after reading `current`: unchanged while the revision is the same, so that the
 * lease's age keeps counting from when it last changed; a new revision restarts it at `now`.
 */
export function observeLease(
  previous: ObservedLease | undefined,
  current: { readonly record: LeaseRecord; readonly revision: string },
  now: Date,
): ObservedLease {
  if (previous && previous.revision === current.revision) return previous;
  return { record: current.record, revision: current.revision, observedAt: now };
}

/**
 * When an observed lease expires for this candidate: its announced duration after it was seen
 * to change (the configured duration when the record announces none).
 */
export function leaseExpiresAt(observed: ObservedLease, timing: LeaderElectionTiming): Date {
  const seconds = observed.record.leaseDurationSeconds;
  const durationMs = seconds > 0 ? seconds * 1000 : timing.leaseDurationMs;
  return new Date(observed.observedAt.getTime() + durationMs);
}

/** Whether an observed lease may be taken over: nobody holds it, or it has expired. */
export function isLeaseFree(observed: ObservedLease, now: Date, timing: LeaderElectionTiming): boolean {
  return observed.record.holderIdentity === '' || now.getTime() >= leaseExpiresAt(observed, timing).getTime();
}

/**
 * What the candidate `identity` does with the lease it just read (`undefined`: there is none).
 * A holder keeps its acquire time and the transition count when it renews; a take-over counts
 * one more transition, as client-go does.
 */
export function nextLeaseAttempt(
  observed: ObservedLease | undefined,
  identity: string,
  now: Date,
  timing: LeaderElectionTiming,
): LeaseAttempt {
  const leaseDurationSeconds = leaseDurationSecondsOf(timing);
  if (!observed) {
    return {
      kind: 'create',
      record: { holderIdentity: identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
    };
  }
  const { record } = observed;
  if (record.holderIdentity === identity) {
    return { kind: 'renew', record: { ...record, leaseDurationSeconds, acquireTime: record.acquireTime ?? now, renewTime: now } };
  }
  if (!isLeaseFree(observed, now, timing)) {
    return { kind: 'wait', holder: record.holderIdentity, expiresAt: leaseExpiresAt(observed, timing) };
  }
  return {
    kind: 'take-over',
    previousHolder: record.holderIdentity,
    record: {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: record.leaseTransitions + 1,
    },
  };
}

/**
 * The moment a leader must have stopped leading: the renew deadline after the start of its last
 * successful write. Measured from the start (not the answer), because the others may have seen the
 * write as early as it was sent; the lease duration minus the deadline is the margin that keeps a
 * leader that cannot renew from overlapping with the next one.
 */
export function leadershipDeadline(lastRenewStartedAt: Date, timing: LeaderElectionTiming): Date {
  return new Date(lastRenewStartedAt.getTime() + timing.renewDeadlineMs);
}

/** Whether a leader whose last successful write started at `lastRenewStartedAt` must step down now. */
export function mustStepDown(lastRenewStartedAt: Date, now: Date, timing: LeaderElectionTiming): boolean {
  return now.getTime() >= leadershipDeadline(lastRenewStartedAt, timing).getTime();
}

/**
 * The delay before the next attempt. A leader renews every retry period. A candidate waits a
 * jittered 1–2.2 retry periods (`random` in [0, 1)), so that candidates started together spread
 * out, but never past the expiry of the lease it is waiting for (`waitingUntil`): a crashed
 * leader is then replaced one lease duration after the candidate saw its last renewal, not up to
 * one more jittered period later.
 */
export function nextAttemptDelayMs(
  state: { readonly leading: boolean; readonly waitingUntil?: Date },
  now: Date,
  timing: LeaderElectionTiming,
  random: number,
): number {
  if (state.leading) return timing.retryPeriodMs;
  const jittered = Math.round(timing.retryPeriodMs * (1 + candidateJitterFactor * Math.min(Math.max(random, 0), 1)));
  if (!state.waitingUntil) return jittered;
  return Math.min(jittered, Math.max(0, state.waitingUntil.getTime() - now.getTime()));
}

/**
 * The record a leader writes when it lets go (client-go's `ReleaseOnCancel`): no holder, so
 * that a candidate takes it at its next attempt, and a one-second duration for candidates that
 * only honour expiry.
 */
export function releasedLease(record: LeaseRecord, now: Date): LeaseRecord {
  return { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: record.leaseTransitions };
}
