/** What a leader elector reports about this replica. */
export interface LeadershipMetrics {
  /** Whether this replica leads now. */
  setLeader(leading: boolean): void;
  /** Counts one time this replica became the leader. */
  countLeadershipAcquired(): void;
}

/** Injection token of {@link LeadershipMetrics}. */
export const LeadershipMetrics = Symbol.for('kfp-provider-service.LeadershipMetrics');
