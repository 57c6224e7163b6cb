import { BackendError } from '../errors.js';
import { type NamespacedName, resourceName } from '../namespaced-name.js';

/** How runs find their KFP experiment: a display name, and in multi-user mode a namespace. */
export interface KfpExperimentLookup {
  readonly displayName: string;
  /** The KFP namespace to search; `undefined` in single-user mode. */
  readonly namespace?: string;
}

/** What the lookup depends on besides the run's experiment name. */
export interface KfpExperimentScope {
  readonly defaultExperiment: string;
  readonly multiUserMode: boolean;
  /** The provider's own namespace (from `PROVIDERNAME`). */
  readonly providerNamespace: string;
}

/**
 * The experiment a run or schedule goes to. A run naming no experiment uses `defaultExperiment`
 * (without namespace); in multi-user mode the provider namespace always replaces the namespace,
 * because experiments are only visible there (e.g. `team/exp` → `kfp-exp` for provider namespace
 * `kfp`). A run naming no experiment while `defaultExperiment` is empty is a
 * {@link BackendError}: the provider is misconfigured, the caller did nothing wrong.
 */
export function kfpExperimentLookup(experiment: NamespacedName, scope: KfpExperimentScope): KfpExperimentLookup {
  let wanted = experiment.name === '' ? { namespace: '', name: scope.defaultExperiment } : experiment;
  if (wanted.name === '') {
    throw new BackendError(
      'the run names no experiment and the provider has no default experiment: set PARAMETERS_DEFAULTEXPERIMENT (the defaultExperiment parameter of the Provider resource)',
    );
  }
  if (!scope.multiUserMode) return { displayName: resourceName(wanted) };
  wanted = { namespace: scope.providerNamespace, name: wanted.name };
  return { displayName: resourceName(wanted), namespace: scope.providerNamespace };
}
