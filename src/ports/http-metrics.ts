/** The HTTP request metrics the API records. */
export interface HttpMetrics {
  /** Records one finished request under its route pattern (never the raw path, to bound cardinality). */
  observeRequest(labels: { method: string; route: string; status: number }, seconds: number): void;
}
