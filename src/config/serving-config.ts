import { configDefaults } from './config-defaults.js';
import { type AnySetting, environmentSetting, type SettingsReader } from './setting.js';
import { text, wholeNumber } from './setting-decoders.js';

/** The API's connection limits and timeouts. */
export interface ConnectionsConfig {
  /** Most open connections (`HTTP_CONNECTION_LIMIT`); at the limit an idle one gives way to a new one. */
  readonly limit: number;
  /** How long an idle keep-alive connection is kept (`HTTP_KEEP_ALIVE_TIMEOUT_MS`). */
  readonly keepAliveTimeoutMs: number;
  /** How long a request's headers may take to arrive (`HTTP_HEADERS_TIMEOUT_MS`). */
  readonly headersTimeoutMs: number;
  /** How long a whole request, body included, may take to arrive (`HTTP_REQUEST_TIMEOUT_MS`). */
  readonly requestTimeoutMs: number;
}

/** How the service serves: where it listens, what it accepts, how it stops. */
export interface ServingConfig {
  /** API listen address (`SERVER_HOST`, `SERVER_PORT`). */
  readonly server: { readonly host: string; readonly port: number };
  /** Prometheus `/metrics` listen address (`METRICS_HOST`; `SERVER_HOST` when unset). */
  readonly metricsHost: string;
  /** Prometheus `/metrics` port (`METRICS_PORT`). */
  readonly metricsPort: number;
  /** How many connections the API keeps, and how long it waits on each. */
  readonly connections: ConnectionsConfig;
  /** Largest accepted request body (`HTTP_BODY_LIMIT_BYTES`), on the wire and as text in memory. */
  readonly bodyLimitBytes: number;
  /** Most JSON values in a request body, object keys included (`HTTP_BODY_LIMIT_VALUES`). */
  readonly bodyLimitValues: number;
  /** Deepest nesting of objects and arrays in a request body (`HTTP_BODY_LIMIT_DEPTH`). */
  readonly bodyLimitDepth: number;
  /** How long SIGTERM waits for in-flight work (`SHUTDOWN_TIMEOUT_MS`). */
  readonly shutdownTimeoutMs: number;
  /**
   * How long after SIGTERM the API keeps serving, answering `/readyz` with 503, before it stops
   * accepting connections (`SHUTDOWN_DELAY_MS`), so that Kubernetes takes the pod out of its
   * Service before the port closes.
   */
  readonly shutdownDelayMs: number;
}

const settings = {
  serverHost: environmentSetting('SERVER_HOST', {
    doc: 'API listen address',
    decoder: text('a host name or address'),
    secret: false,
    defaultValue: configDefaults.serverHost,
  }),
  serverPort: environmentSetting('SERVER_PORT', {
    doc: 'API port (0 = any free port)',
    decoder: wholeNumber(0, 65535),
    secret: false,
    defaultValue: configDefaults.serverPort,
  }),
  metricsHost: environmentSetting('METRICS_HOST', {
    doc: 'Prometheus /metrics listen address, so that SERVER_HOST can bind the API alone (e.g. to 127.0.0.1 behind a proxy)',
    decoder: text('a host name or address'),
    secret: false,
    defaultText: 'SERVER_HOST',
  }),
  metricsPort: environmentSetting('METRICS_PORT', {
    doc: 'Prometheus /metrics port (0 = any free port)',
    decoder: wholeNumber(0, 65535),
    secret: false,
    defaultValue: configDefaults.metricsPort,
  }),
  bodyLimitBytes: environmentSetting('HTTP_BODY_LIMIT_BYTES', {
    doc: 'largest accepted JSON body, on the wire and as text in memory (a character beyond Latin-1 takes 2 bytes); larger is 413',
    decoder: wholeNumber(1),
    secret: false,
    defaultValue: configDefaults.bodyLimitBytes,
  }),
  bodyLimitValues: environmentSetting('HTTP_BODY_LIMIT_VALUES', {
    doc: 'most JSON values in a body, object keys included; more is 413, refused before parsing',
    decoder: wholeNumber(1),
    secret: false,
    defaultValue: configDefaults.bodyLimitValues,
  }),
  bodyLimitDepth: environmentSetting('HTTP_BODY_LIMIT_DEPTH', {
    doc: 'deepest nesting of objects and arrays in a body; deeper is 413, refused before parsing',
    decoder: wholeNumber(1),
    secret: false,
    defaultValue: configDefaults.bodyLimitDepth,
  }),
  connectionLimit: environmentSetting('HTTP_CONNECTION_LIMIT', {
    doc: 'most open API connections; at the limit the longest-idle one is closed for a new one, or the new one refused',
    decoder: wholeNumber(1),
    secret: false,
    defaultValue: configDefaults.httpConnectionLimit,
  }),
  keepAliveTimeoutMs: environmentSetting('HTTP_KEEP_ALIVE_TIMEOUT_MS', {
    doc: 'how long an idle keep-alive API connection is kept',
    decoder: wholeNumber(1),
    secret: false,
    defaultValue: configDefaults.httpKeepAliveTimeoutMs,
  }),
  headersTimeoutMs: environmentSetting('HTTP_HEADERS_TIMEOUT_MS', {
    doc: "how long a request's headers may take to arrive (then 408); at most HTTP_REQUEST_TIMEOUT_MS",
    decoder: wholeNumber(1),
    secret: false,
    defaultValue: configDefaults.httpHeadersTimeoutMs,
  }),
  requestTimeoutMs: environmentSetting('HTTP_REQUEST_TIMEOUT_MS', {
    doc: 'how long a whole request, body included, may take to arrive (then 408)',
    decoder: wholeNumber(1),
    secret: false,
    defaultValue: configDefaults.httpRequestTimeoutMs,
  }),
  shutdownTimeoutMs: environmentSetting('SHUTDOWN_TIMEOUT_MS', {
    doc: 'how long SIGTERM waits for in-flight work',
    decoder: wholeNumber(0),
    secret: false,
    defaultValue: configDefaults.shutdownTimeoutMs,
  }),
  // No default value: the default depends on whether the service runs in a pod.
  shutdownDelayMs: environmentSetting('SHUTDOWN_DELAY_MS', {
    doc: 'how long SIGTERM keeps serving, /readyz answering 503, before the port closes, for Kubernetes to stop routing to the pod',
    decoder: wholeNumber(0),
    secret: false,
    defaultText: `${configDefaults.podShutdownDelayMs} in a Kubernetes pod, ${configDefaults.shutdownDelayMs} elsewhere`,
  }),
};

// Kubernetes sets this in every pod. The Kubeflow provider's table lists it, for the in-cluster
// service account; here it only chooses the default shutdown delay, so it is not listed twice.
const kubernetesServiceHost = environmentSetting('KUBERNETES_SERVICE_HOST', {
  doc: 'set by Kubernetes in every pod',
  decoder: text('a host name or address'),
  secret: false,
});

/** The serving rows of the common settings table. */
export const servingSettings: readonly AnySetting[] = Object.freeze(Object.values(settings));

// Node refuses a headers timeout longer than the request timeout, which includes the headers.
function readConnectionsConfig(reader: SettingsReader): ConnectionsConfig {
  const headersTimeoutMs = reader.read(settings.headersTimeoutMs);
  const requestTimeoutMs = reader.read(settings.requestTimeoutMs);
  if (headersTimeoutMs > requestTimeoutMs) {
    const { variable } = settings.headersTimeoutMs;
    reader.report(
      variable,
      `${variable}="${headersTimeoutMs}" must be at most ${settings.requestTimeoutMs.variable} (${requestTimeoutMs})`,
    );
  }
  return {
    limit: reader.read(settings.connectionLimit),
    keepAliveTimeoutMs: reader.read(settings.keepAliveTimeoutMs),
    headersTimeoutMs,
    requestTimeoutMs,
  };
}

/** Reads the serving settings, recording what is invalid in `reader`. */
export function readServingConfig(reader: SettingsReader): ServingConfig {
  const host = reader.read(settings.serverHost);
  const inPod = reader.read(kubernetesServiceHost) !== undefined;
  return {
    server: { host, port: reader.read(settings.serverPort) },
    metricsHost: reader.read(settings.metricsHost) ?? host,
    metricsPort: reader.read(settings.metricsPort),
    connections: readConnectionsConfig(reader),
    bodyLimitBytes: reader.read(settings.bodyLimitBytes),
    bodyLimitValues: reader.read(settings.bodyLimitValues),
    bodyLimitDepth: reader.read(settings.bodyLimitDepth),
    shutdownTimeoutMs: reader.read(settings.shutdownTimeoutMs),
    shutdownDelayMs: reader.read(settings.shutdownDelayMs) ?? (inPod ? configDefaults.podShutdownDelayMs : configDefaults.shutdownDelayMs),
  };
}
