#!/usr/bin/env node
import { createRequire } from 'node:module';
import { createPinoLogger } from './adapters/logging/pino-logger.js';
import { parseCommandLine, usageExitCode } from './cli/command-line.js';
import { configSecrets, describeConfig } from './config/describe-config.js';
import { ConfigError, formatConfigHelp, loadServiceConfig, type ServiceConfig } from './config/service-config.js';
import { createProviderService, type ProviderService } from './composition/create-provider-service.js';
import { errorMessage } from './domain/error-message.js';
import type { Logger } from './ports/logger.js';

// The composition root of the service executable: the only place that reads process.env and
// the command line, and that owns the process (signals, exit codes). Everything else is built
// by createProviderService, the same composition library users call.

function describe(error: unknown): string {
  return errorMessage(error, { withStack: true });
}

// Node prints process warnings (a library's MetadataLookupWarning, an ExperimentalWarning) as
// plain text on stderr; every line the service writes is JSON, so they go through the logger.
function logWarningsAsJson(logger: Logger): void {
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    logger.warn('process warning', { warning: warning.name, message: warning.message });
  });
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

function packageVersion(): string {
  const manifest = createRequire(import.meta.url)('../package.json') as { version: string };
  return manifest.version;
}

function readConfig(): ServiceConfig | undefined {
  try {
    return loadServiceConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const lines = error.problems.map((problem) => problem.message);
    process.stderr.write(lines.length === 1 ? `configuration error: ${lines[0]}\n` : `configuration error:\n  ${lines.join('\n  ')}\n`);
    process.exitCode = usageExitCode;
    return undefined;
  }
}

/** Ends the process: at once while starting or when asked twice, else after a graceful stop. */
type Shutdown = (cause: string, exitCode: number) => void;

function gracefulShutdown(service: ProviderService, logger: Logger, isStarted: () => boolean): Shutdown {
  let stopping = false;
  return (cause, exitCode) => {
    if (stopping || !isStarted()) {
      logger.info('stopping at once', { signal: cause, starting: !isStarted() });
      process.exit(isStarted() ? 1 : 0);
    }
    stopping = true;
    logger.info('shutting down', { signal: cause });
    const { shutdownDelayMs, shutdownTimeoutMs } = service.config;
    setTimeout(() => process.exit(1), shutdownDelayMs + shutdownTimeoutMs + 1000).unref();
    service.stop().then(
      () => process.exit(exitCode),
      (error: unknown) => {
        logger.error('shutdown failed', { error: describe(error) });
        process.exit(1);
      },
    );
  };
}

async function serve(): Promise<void> {
  const config = readConfig();
  if (!config) return;
  const logger = createPinoLogger(config.logLevel, undefined, { secrets: configSecrets(config, process.env) });
  logWarningsAsJson(logger);
  exitOnFatalErrors(logger);
  // The operator's pod template has no probe: a service whose event source gave up would stay
  // alive and deaf. Ending it non-zero makes the kubelet restart the container.
  const onFatal = (failure: string): void => {
    logger.error('run event source failed for good; exiting so that the container is restarted', { failure });
    shutdown('event source failure', 1);
  };
  const service = createProviderService({ config, logger, defaultMetrics: true, onFatal });
  let started = false;
  const shutdown = gracefulShutdown(service, logger, () => started);
  // Signals are handled from the start: a SIGTERM while the service is still connecting its
  // event source ends it at once rather than waiting for the kubelet's SIGKILL.
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  try {
    await service.start();
    started = true;
  } catch (error) {
    logger.error('start-up failed', { error: describe(error) });
    process.exit(1);
  }
  logger.info('provider service started', {
    config: describeConfig(config, process.env),
    apiPort: service.apiPort,
    metricsPort: service.metricsPort,
    events: config.operatorWebhook ? 'sent to OPERATORWEBHOOK' : 'logged only: OPERATORWEBHOOK is not set',
  });
}

async function main(): Promise<void> {
  const command = parseCommandLine(process.argv.slice(2));
  switch (command.kind) {
    case 'help':
      process.stdout.write(formatConfigHelp());
      return;
    case 'version':
      process.stdout.write(`${packageVersion()}\n`);
      return;
    case 'usage-error':
      process.stderr.write(`kfp-provider-service: ${command.message}\n`);
      process.exitCode = usageExitCode;
      return;
    case 'conformance': {
      // Loaded only for this command: the service itself never needs the conformance rules.
      const { conformanceCommand } = await import('./conformance/conformance-command.js');
      process.exitCode = await conformanceCommand(command.args, process.stdout);
      return;
    }
    case 'serve':
      return serve();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`start-up failed: ${errorMessage(error)}\n`);
  process.exit(1);
});
