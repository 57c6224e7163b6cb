#!/usr/bin/env node
import { Container } from 'inversify';
import { createPinoLogger } from './adapters/logging/pino-logger.js';
import { ConfigError, describeConfig, formatConfigHelp, loadServiceConfig } from './config/service-config.js';
import { coreModule } from './composition/core-module.js';
import { providerModules } from './composition/provider-modules.js';
import { startService } from './composition/running-service.js';

// The composition root: the only place that reads process.env, picks adapters and starts them.

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(formatConfigHelp());
    return;
  }
  let config;
  try {
    config = loadServiceConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`configuration error: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  const logger = createPinoLogger(config.logLevel);
  const container = new Container();
  container.load(coreModule({ config, logger }), await providerModules[config.providerType]());
  const service = await startService(container);
  logger.info('provider service started', {
    config: describeConfig(config),
    apiPort: service.apiPort,
    metricsPort: service.metricsPort,
    events: config.operatorWebhook ? 'sent to OPERATORWEBHOOK' : 'logged only: OPERATORWEBHOOK is not set',
  });

  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal });
    // A second signal, or a drain that overruns the budget, ends the process at once.
    const force = setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 1000);
    force.unref();
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
