#!/usr/bin/env node
import { Container } from 'inversify';
import { createPinoLogger } from './adapters/logging/pino-logger.js';
import { describeConfig } from './config/describe-config.js';
import { ConfigError, formatConfigHelp, loadServiceConfig } from './config/service-config.js';
import { coreModule } from './composition/core-module.js';
import { providerModuleFor } from './composition/provider-modules.js';
import { type RunningService, startService } from './composition/running-service.js';
import type { Logger } from './ports/logger.js';

// The composition root: the only place that reads process.env, picks adapters and starts them.

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

// A crash is logged as JSON like everything else, so the log pipeline keeps its last words.
function exitOnFatalErrors(logger: Logger): void {
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception; exiting', { error: describe(error) });
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled promise rejection; exiting', { error: describe(reason) });
    process.exit(1);
  });
}

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
    const lines = error.problems.map((problem) => problem.message);
    process.stderr.write(lines.length === 1 ? `configuration error: ${lines[0]}\n` : `configuration error:\n  ${lines.join('\n  ')}\n`);
    process.exitCode = 2;
    return;
  }
  const logger = createPinoLogger(config.logLevel);
  exitOnFatalErrors(logger);

  // Signals are handled from the start: a SIGTERM while the service is still connecting its
  // event source ends it at once rather than waiting for the kubelet's SIGKILL.
  let service: RunningService | undefined;
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping || !service) {
      logger.info('stopping at once', { signal, starting: !service });
      process.exit(service ? 1 : 0);
    }
    stopping = true;
    logger.info('shutting down', { signal });
    const force = setTimeout(() => process.exit(1), config.shutdownDelayMs + config.shutdownTimeoutMs + 1000);
    force.unref();
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error: describe(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  const container = new Container();
  container.load(coreModule({ config, logger }), await providerModuleFor(config));
  try {
    service = await startService(container);
  } catch (error) {
    logger.error('start-up failed', { error: describe(error) });
    process.exit(1);
  }
  logger.info('provider service started', {
    config: describeConfig(config),
    apiPort: service.apiPort,
    metricsPort: service.metricsPort,
    events: config.operatorWebhook ? 'sent to OPERATORWEBHOOK' : 'logged only: OPERATORWEBHOOK is not set',
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
