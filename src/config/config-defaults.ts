/**
 * The default of every setting that has one. The settings table prints these in `--help` and the
 * parser falls back to them; library factories (`createLocalProvider`, `createWebhookSink`) use
 * the same values, so an embedded service behaves as the deployed one.
 */
export const configDefaults = Object.freeze({
  serverHost: '0.0.0.0',
  serverPort: 8080,
  // The operator's own default for the metrics port.
  metricsPort: 8081,
  // Compiled pipelines can be several MB; 32 MiB leaves room for the largest TFX pipelines.
  bodyLimitBytes: 32 * 1024 * 1024,
  // Kubernetes waits 30 s before SIGKILL; 5 s keeps rollouts quick while in-flight calls finish.
  shutdownTimeoutMs: 5000,
  // Off by default: the operator's own Deployment sets no longer grace period than usual.
  shutdownDelayMs: 0,
  logLevel: 'info',
  eventsConcurrency: 8,
  // An operator outage of up to a day is survivable without losing events.
  eventsMaxAgeMs: 24 * 60 * 60 * 1000,
  // Far above what a healthy pipeline ever holds, while what the waiting events cost stays small
  // beside the image's 160 MiB heap: a Vertex event is a few KiB at its Pub/Sub client, and a
  // workflow the watch's cache holds anyway.
  eventsMaxAwaitingRetry: 1000,
  retryInitialMs: 1000,
  retryMaxMs: 60_000,
  webhookTimeoutMs: 10_000,
  // Five minutes: longer than a GKE control-plane upgrade or a short Pub/Sub incident keeps a
  // source away (a restart would not help, and a restarted service that cannot connect fails its
  // start and crash-loops), short enough that a connection stuck for a reason a restart does
  // fix (a dead TCP connection that never reported an error) costs minutes, not hours. Events
  // wait at their source meanwhile, so nothing is lost either way.
  eventsSourceReconnectBudgetMs: 5 * 60 * 1000,
  // Half the Google client default of 60 s: a backend call answers in well under a second, so one
  // that hangs fails the operator's request (which it retries) instead of holding it, and an
  // in-flight call at shutdown, for a minute.
  backendTimeoutMs: 30_000,
  localRunDurationMs: 2000,
  localArtifactRoot: 'file:///tmp/kfp-local',
  localProviderName: 'local',
  vaiMaxConcurrentRunCount: 10,
  // Empty watches every namespace: in KFP multi-user mode runs live in the profile namespaces.
  kfpNamespace: '',
  kfpTokenFile: '/var/run/secrets/kfp/token',
  kfpWorkflowEvents: 'watch',
} as const);
