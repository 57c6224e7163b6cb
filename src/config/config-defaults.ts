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
  // Outside Kubernetes nothing has to stop routing to the process before its port closes.
  shutdownDelayMs: 0,
  // In a pod, SIGTERM and the removal of the pod from its Service's endpoints start together, and
  // kube-proxy on every node takes a second or two to stop sending new connections; 5 s covers
  // that, and with the 5 s shutdown budget stays at a third of the default 30 s grace period.
  podShutdownDelayMs: 5000,
  // The operator's curl steps open a connection per call; an idle connection costs about 13 KiB
  // (2,000 of them took 25 MiB), so a thousand stay within a few percent of the pod's memory.
  httpConnectionLimit: 1000,
  // Curl does not reuse connections between steps; 5 s (Node's own default) frees them soon.
  httpKeepAliveTimeoutMs: 5000,
  // Curl sends its headers at once; 10 s ends a connection that trickles them (slowloris).
  httpHeadersTimeoutMs: 10_000,
  // The whole request, body included: 32 MiB arrive in well under a second inside a cluster.
  httpRequestTimeoutMs: 60_000,
  // Compiled pipelines are mostly long strings: a realistic 5 MB one has about 60,000 values and
  // nests 9 deep. At 200,000 values the costliest shape (one object of 100,000 keys) still parses
  // in a tenth to a third of a second; 10⁶ keys took 3 s and 262 MiB (bench/hostile-bodies.mjs).
  bodyLimitValues: 200_000,
  // Far from what recursive walkers of the parsed body (JSON.stringify, structuredClone) overflow.
  bodyLimitDepth: 64,
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
