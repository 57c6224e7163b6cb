import type { ContainerModule } from 'inversify';
import type { ProviderType, ServiceConfig, ServiceConfigFor } from '../config/service-config.js';

/** Builds the container module of the provider kind `K` from the configuration of that kind. */
export type ProviderModuleFactory<K extends ProviderType> = (config: ServiceConfigFor<K>) => Promise<ContainerModule>;

/** One {@link ProviderModuleFactory} per provider kind. */
export type ProviderModules = { readonly [K in ProviderType]: ProviderModuleFactory<K> };

/**
 * The container module of each provider kind, imported only when that kind is chosen, so a
 * local service never loads a cloud SDK and a Vertex one never loads the Kubernetes client.
 * Each module closes over its own configuration, provider slice included.
 */
export const providerModules: ProviderModules = Object.freeze({
  local: async (config) => (await import('../adapters/local/local-module.js')).localModule(config),
  vai: async (config) => (await import('../adapters/vertex/vertex-module.js')).vertexModule(config),
  kfp: async (config) => (await import('../adapters/kfp/kfp-module.js')).kfpModule(config),
});

function moduleOfKind<K extends ProviderType>(kind: K, config: ServiceConfigFor<K>): Promise<ContainerModule> {
  return providerModules[kind](config);
}

/** The container module of the provider kind `config` is for, built from it. */
export function providerModuleFor(config: ServiceConfig): Promise<ContainerModule> {
  return moduleOfKind(config.providerType, config);
}
