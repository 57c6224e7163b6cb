import { configDefaults } from './config-defaults.js';
import { type AnySetting, environmentSetting, type SettingsReader } from './setting.js';
import { wholeNumber } from './setting-decoders.js';

/** Settings of the run completion event pipeline and the webhook sink. */
export interface EventsConfig {
  /** Messages processed at once. */
  readonly concurrency: number;
  /** How long a failing event is retried before it is logged and dropped. */
  readonly maxAgeMs: number;
  /** First retry delay; doubles up to `retryMaxMs`, with jitter. */
  readonly retryInitialMs: number;
  /** Largest retry delay. */
  readonly retryMaxMs: number;
  /** Most events held waiting for a retry (or attempted); at the bound no new event is pulled. */
  readonly maxAwaitingRetry: number;
  /** Timeout of one webhook request. */
  readonly webhookTimeoutMs: number;
  /**
   * How long the event source may stay disconnected from its backend (Pub/Sub, the Kubernetes
   * API) while it reconnects; past it the source fails for good and the process should restart.
   */
  readonly sourceReconnectBudgetMs: number;
}

const events = {
  eventsConcurrency: environmentSetting('EVENTS_CONCURRENCY', {
    doc: 'run completion events processed at once',
    secret: false,
    decoder: wholeNumber(1, 1024),
    defaultValue: configDefaults.eventsConcurrency,
  }),
  eventsMaxAgeMs: environmentSetting('EVENTS_MAX_AGE_MS', {
    doc: 'how long a failing event is retried before it is dropped with an error log',
    secret: false,
    decoder: wholeNumber(1),
    defaultValue: configDefaults.eventsMaxAgeMs,
  }),
  retryInitialMs: environmentSetting('EVENTS_RETRY_INITIAL_MS', {
    doc: 'first retry delay (doubles, with jitter)',
    secret: false,
    decoder: wholeNumber(1),
    defaultValue: configDefaults.retryInitialMs,
  }),
  // No default value: an unset maximum is raised to the first delay when that is larger.
  retryMaxMs: environmentSetting('EVENTS_RETRY_MAX_MS', {
    doc: 'largest retry delay; at least EVENTS_RETRY_INITIAL_MS',
    secret: false,
    decoder: wholeNumber(1),
    defaultText: String(configDefaults.retryMaxMs),
  }),
  eventsMaxAwaitingRetry: environmentSetting('EVENTS_MAX_AWAITING_RETRY', {
    doc: 'most events waiting for a retry (or being attempted) at once; at the bound the source is not read until one settles',
    secret: false,
    decoder: wholeNumber(1),
    defaultValue: configDefaults.eventsMaxAwaitingRetry,
  }),
  webhookTimeoutMs: environmentSetting('WEBHOOK_TIMEOUT_MS', {
    doc: 'timeout of one webhook request',
    secret: false,
    decoder: wholeNumber(1),
    defaultValue: configDefaults.webhookTimeoutMs,
  }),
  sourceReconnectBudgetMs: environmentSetting('EVENTS_SOURCE_RECONNECT_BUDGET_MS', {
    doc: 'how long the event source may stay disconnected (readiness 503) before the service exits non-zero to be restarted',
    secret: false,
    decoder: wholeNumber(1),
    defaultValue: configDefaults.eventsSourceReconnectBudgetMs,
  }),
};

/** The event pipeline's rows of the settings table, listed with the common settings. */
export const eventsSettings: readonly AnySetting[] = Object.freeze(Object.values(events));

/** Reads the event pipeline's slice; a largest retry delay below the first is a problem. */
export function readEventsConfig(reader: SettingsReader): EventsConfig {
  const { retryInitialMs: first, retryMaxMs: largest } = events;
  const retryInitialMs = reader.read(first);
  const retryMaxMs = reader.read(largest) ?? Math.max(configDefaults.retryMaxMs, retryInitialMs);
  if (retryMaxMs < retryInitialMs) {
    reader.report(largest.variable, `${largest.variable}="${retryMaxMs}" must be at least ${first.variable} (${retryInitialMs})`);
  }
  return {
    concurrency: reader.read(events.eventsConcurrency),
    maxAgeMs: reader.read(events.eventsMaxAgeMs),
    retryInitialMs,
    retryMaxMs,
    maxAwaitingRetry: reader.read(events.eventsMaxAwaitingRetry),
    webhookTimeoutMs: reader.read(events.webhookTimeoutMs),
    sourceReconnectBudgetMs: reader.read(events.sourceReconnectBudgetMs),
  };
}
