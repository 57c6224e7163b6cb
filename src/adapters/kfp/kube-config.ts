import { delimiter } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/** Where the service runs, as far as finding a Kubernetes configuration goes. */
export interface KubeConfigEnvironment {
  /** True in a Kubernetes pod (`KUBERNETES_SERVICE_HOST` is set), where the service account can be used. */
  readonly inCluster?: boolean;
}

/**
 * The Kubernetes client configuration: the kubeconfig file at `path` (`KUBECONFIG`; several
 * files separated by `:` are merged, first one first, as kubectl does) when given, otherwise the
 * pod's in-cluster service account (its token re-read as it rotates). Never the `HOME`-based
 * `~/.kube/config`: the service must behave the same whatever the home directory of the user it
 * runs as holds.
 */
export function loadKubeConfig(path?: string, environment: KubeConfigEnvironment = {}): KubeConfig {
  const config = new KubeConfig();
  const [first, ...more] = (path ?? '').split(delimiter).filter((file) => file !== '');
  if (first !== undefined) {
    config.loadFromFile(first);
    for (const file of more) {
      const next = new KubeConfig();
      next.loadFromFile(file);
      config.mergeConfig(next);
    }
  } else if (environment.inCluster) {
    config.loadFromCluster();
  } else {
    throw new Error(
      'watching Argo Workflows needs a Kubernetes configuration, and there is none: no in-cluster configuration ' +
        '(KUBERNETES_SERVICE_HOST is not set) and no KUBECONFIG; set KUBECONFIG to a kubeconfig file, or set ' +
        'PARAMETERS_KFPWORKFLOWEVENTS=relay to take finished workflows from an Argo Events sensor instead',
    );
  }
  return config;
}
