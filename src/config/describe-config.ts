import { formatNamespacedName } from '../domain/namespaced-name.js';
import type { ServiceConfig } from './service-config.js';

/**
 * The configuration as logged at start-up: credentials in URLs are masked, and the pipeline root
 * is the one in effect (the local provider's default when `PIPELINEROOTSTORAGE` is unset).
 */
export function describeConfig(config: ServiceConfig): Record<string, unknown> {
  const webhook = config.operatorWebhook ? new URL(config.operatorWebhook.href) : undefined;
  if (webhook && (webhook.username || webhook.password)) {
    webhook.username = 'redacted';
    webhook.password = '';
  }
  return {
    ...config,
    providerName: formatNamespacedName(config.providerName),
    pipelineRootStorage: config.providerType === 'local' ? config.local.artifactRoot : config.pipelineRootStorage,
    operatorWebhook: webhook?.href,
  };
}
