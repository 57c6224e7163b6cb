import { ContainerModule } from 'inversify';
import type { LocalServiceConfig } from '../../config/service-config.js';
import { Clock } from '../../ports/clock.js';
import { IdGenerator } from '../../ports/id-generator.js';
import { Logger } from '../../ports/logger.js';
import { Provider } from '../../ports/provider.js';
import { RunEventNormaliser } from '../../ports/run-event-normaliser.js';
import { RunEventSource } from '../../ports/run-event-source.js';
import { InMemoryRunEventSource } from '../memory/in-memory-run-event-source.js';
import { createLocalProvider } from './create-local-provider.js';
import type { LocalProvider } from './local-provider.js';
import { LocalRunEventNormaliser } from './local-run-event-normaliser.js';

/**
 * Binds the embedded local provider: the in-memory provider, the in-process queue its finished
 * runs are published to, and the normaliser that checks them, as `config` sets them up.
 */
export function localModule(config: LocalServiceConfig): ContainerModule {
  return new ContainerModule((options) => {
    options
      .bind<InMemoryRunEventSource>(RunEventSource)
      .toResolvedValue((clock: Clock) => new InMemoryRunEventSource({ clock }), [Clock])
      .inSingletonScope();
    options
      .bind<LocalProvider>(Provider)
      .toResolvedValue(
        (clock: Clock, ids: IdGenerator, logger: Logger, events: InMemoryRunEventSource) => {
          return createLocalProvider({
            events,
            runDurationMs: config.local.runDurationMs,
            artifactRoot: config.local.artifactRoot,
            providerName: config.providerName,
            clock,
            ids,
            logger: logger.child({ component: 'local-provider' }),
          });
        },
        [Clock, IdGenerator, Logger, RunEventSource],
      )
      .inSingletonScope()
      .onDeactivation((provider) => provider.close());
    options.bind(RunEventNormaliser).toConstantValue(new LocalRunEventNormaliser());
  });
}
