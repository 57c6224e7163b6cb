import { ContainerModule } from 'inversify';
import type { LocalServiceConfig } from '../../config/service-config.js';
import { Clock } from '../../ports/clock.js';
import { IdGenerator } from '../../ports/id-generator.js';
import { Logger } from '../../ports/logger.js';
import { Provider } from '../../ports/provider.js';
import { RunEventNormaliser } from '../../ports/run-event-normaliser.js';
import { RunEventSource } from '../../ports/run-event-source.js';
import { InMemoryRunEventSource } from '../memory/in-memory-run-event-source.js';
import { publishRunsInto } from './create-local-provider.js';
import { runCompletionEventCodec } from './local-state-codec.js';
import { LocalProvider } from './local-provider.js';
import { LocalRunEventNormaliser } from './local-run-event-normaliser.js';
import type { PublishingRunEventSource } from './publishing-run-event-source.js';
import { SqliteRunEventSource } from './sqlite-run-event-source.js';
import { SqliteStateStore } from './sqlite-state-store.js';

// The store the provider and its event source share, so that a finished run and its event are
// one commit. Internal to this module.
const LocalStateStore = Symbol.for('kfp-provider-service.LocalStateStore');

/**
 * Binds the embedded local provider: its state store (the configured state file, or memory),
 * the provider on it, the event source its finished runs are published to (durable with a state
 * file, in memory without), and the
 * normaliser that checks them. With a state file the store is opened asynchronously, since
 * start-up may wait for another process to let go of the file.
 */
export function localModule(config: LocalServiceConfig): ContainerModule {
  const { stateFile } = config.local;
  return new ContainerModule((options) => {
    options
      .bind<SqliteStateStore>(LocalStateStore)
      .toResolvedValue(() => (stateFile ? SqliteStateStore.openFile(stateFile.path, stateFile.lockWaitMs) : SqliteStateStore.inMemory()))
      .inSingletonScope()
      // The provider closes the store; this covers a store whose provider was never built.
      .onDeactivation((store) => store.close());
    // Without a state file nothing outlives the process, so the events need no table either: an
    // in-memory source hands on each event as it is, without writing and reading it back as JSON.
    options
      .bind<PublishingRunEventSource>(RunEventSource)
      .toResolvedValue(
        (store: SqliteStateStore, clock: Clock) =>
          stateFile
            ? new SqliteRunEventSource({ store, codec: runCompletionEventCodec, clock })
            : new InMemoryRunEventSource({ clock, settledHistory: 0 }),
        [LocalStateStore, Clock],
      )
      .inSingletonScope();
    options
      .bind<LocalProvider>(Provider)
      .toResolvedValue(
        (clock: Clock, ids: IdGenerator, logger: Logger, events: PublishingRunEventSource, state: SqliteStateStore) =>
          new LocalProvider({
            runDurationMs: config.local.runDurationMs,
            artifactRoot: config.local.artifactRoot,
            providerName: config.providerName,
            clock,
            ids,
            logger: logger.child({ component: 'local-provider' }),
            state,
            onRunFinished: publishRunsInto(events),
          }),
        [Clock, IdGenerator, Logger, RunEventSource, LocalStateStore],
      )
      .inSingletonScope()
      .onDeactivation((provider) => provider.close());
    options.bind(RunEventNormaliser).toConstantValue(new LocalRunEventNormaliser());
  });
}
