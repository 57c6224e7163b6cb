import { LocalProvider } from './local-provider.js';
import { silentLogger } from '../logging/silent-logger.js';
import { randomIdGenerator } from '../system/random-id-generator.js';
import { systemClock } from '../system/system-clock.js';
import { configDefaults } from '../../config/config-defaults.js';
import { type NamespacedName, parseNamespacedName } from '../../domain/namespaced-name.js';
import type { Clock } from '../../ports/clock.js';
import type { IdGenerator } from '../../ports/id-generator.js';
import type { Logger } from '../../ports/logger.js';
import type { RunCompletionEvent } from '../../domain/run-completion-event.js';
import type { PublishingRunEventSource } from './publishing-run-event-source.js';
import { SqliteStateStore } from './sqlite-state-store.js';

/** Publishes each finished run into `events`, under an id derived from the run's. */
export function publishRunsInto(events: PublishingRunEventSource): (event: RunCompletionEvent) => void {
  return (event) => void events.publish(event, `run-${event.runId}`);
}

/** Options of {@link createLocalProvider}; everything but `events` has a default. */
export interface CreateLocalProviderOptions {
  /** Where finished runs are published; pass the same source to `createProviderService`. */
  readonly events: PublishingRunEventSource;
  /** How long a run takes before it completes (default 2000 ms). */
  readonly runDurationMs?: number;
  /** Root of the artifact URIs runs report (default `file:///tmp/kfp-local`). */
  readonly artifactRoot?: string;
  /** The Provider resource's name reported in events, `namespace/name` or `name` (default `local`). */
  readonly providerName?: NamespacedName | string;
  /** Supplies run start and end times (default the system clock). */
  readonly clock?: Clock;
  /** Supplies run and schedule ids (default random UUIDs). */
  readonly ids?: IdGenerator;
  /** Where the provider logs (default nowhere). */
  readonly logger?: Logger;
}

/**
 * The embedded local provider with defaults, for composing it by hand: wrapping it in a custom
 * provider, or driving it without the HTTP API. Its finished runs are published into `events`
 * in domain form, which the default normaliser of `createProviderService` accepts. Its state is
 * in memory (a state file is a setting of the service, `PARAMETERS_STATEFILE`). Call `close()` on
 * it to stop its run and schedule timers and release its state.
 */
export function createLocalProvider(options: CreateLocalProviderOptions): LocalProvider {
  const providerName =
    typeof options.providerName === 'string'
      ? parseNamespacedName(options.providerName, 'providerName')
      : (options.providerName ?? { namespace: '', name: configDefaults.localProviderName });
  return new LocalProvider({
    runDurationMs: options.runDurationMs ?? configDefaults.localRunDurationMs,
    artifactRoot: options.artifactRoot ?? configDefaults.localArtifactRoot,
    providerName,
    clock: options.clock ?? systemClock,
    ids: options.ids ?? randomIdGenerator,
    logger: options.logger ?? silentLogger,
    state: SqliteStateStore.inMemory(),
    onRunFinished: publishRunsInto(options.events),
  });
}
