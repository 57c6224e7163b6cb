import { KubeConfig } from '@kubernetes/client-node';

/**
 * The Kubernetes client configuration: the file(s) named by `KUBECONFIG` when set (the library
 * reads the variable), otherwise the pod's in-cluster service account (token re-read as it
 * rotates), or a kubeconfig file given explicitly.
 */
export function loadKubeConfig(file?: string): KubeConfig {
  const config = new KubeConfig();
  if (file) config.loadFromFile(file);
  else config.loadFromDefault();
  return config;
}
