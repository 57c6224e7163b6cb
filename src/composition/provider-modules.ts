import type { ContainerModule } from 'inversify';
import type { ProviderType } from '../config/service-config.js';

/**
 * The container module of each provider kind, imported only when that kind is chosen, so a
 * local service never loads a cloud SDK and a Vertex one never loads the Kubernetes client.
 */
export const providerModules: Readonly<Record<ProviderType, () => Promise<ContainerModule>>> = Object.freeze({
  local: async () => (await import('../adapters/local/local-module.js')).localModule(),
  vai: async () => (await import('../adapters/vertex/vertex-module.js')).vertexModule(),
  kfp: async () => (await import('../adapters/kfp/kfp-module.js')).kfpModule(),
});
