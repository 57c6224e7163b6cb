/** What a {@link LeaderElector} tells the work it guards. */
export interface LeadershipListener {
  /** This replica leads from now on. */
  startedLeading(): void;
  /**
   * This replica no longer leads (it lost the lease, could not renew it in time, or let it go);
   * called before another replica can take over, so the guarded work must stop at once.
   */
  stoppedLeading(reason: string): void;
}

/** Elects one replica of several to do work that must not run twice at the same time. */
export interface LeaderElector {
  /**
   * Starts campaigning and resolves after the first attempt, whether or not it won; rejects when
   * the election cannot be held at all (no access to the lease), naming what is missing.
   */
  start(listener: LeadershipListener): Promise<void>;
  /** True while this replica leads. */
  isLeader(): boolean;
  /** Stops campaigning; a leader lets the lease go, so another replica takes over at once. */
  stop(): Promise<void>;
}

/** Injection token of {@link LeaderElector}. */
export const LeaderElector = Symbol.for('kfp-provider-service.LeaderElector');
