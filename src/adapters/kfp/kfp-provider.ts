import type { ExperimentDefinition, PipelineResource, RunDefinition, RunScheduleDefinition } from '../../domain/definitions.js';
import { BackendError } from '../../domain/errors.js';
import { type KfpExperimentScope, kfpExperimentLookup } from '../../domain/kfp/kfp-experiment-lookup.js';
import { declaredKfpParameterTypes, prepareKfpPipelineSpec } from '../../domain/kfp/kfp-pipeline-spec.js';
import {
  type KfpRunRequestInput,
  kfpExperimentRequest,
  kfpRecurringRunRequest,
  kfpRunDisplayName,
  kfpRunRequest,
} from '../../domain/kfp/kfp-resource-requests.js';
import { kfpPipelineRoot, kfpRunParameters, typedKfpParameters } from '../../domain/kfp/kfp-run-parameters.js';
import { type NamespacedName, resourceName } from '../../domain/namespaced-name.js';
import { type RunLabels, runLabels, runScheduleLabels } from '../../domain/run-labels.js';
import type { Logger } from '../../ports/logger.js';
import type { Provider, ResourceOperations } from '../../ports/provider.js';
import type { KfpApiClient } from './kfp-api-client.js';
import { isKfpAlreadyExists } from './kfp-http-error.js';

/** What the Kubeflow provider is built from. */
export interface KfpProviderOptions {
  readonly api: KfpApiClient;
  /** `PROVIDERNAME`: written into run labels; its namespace scopes experiments in multi-user mode. */
  readonly providerName: NamespacedName;
  readonly pipelineRootStorage: string;
  readonly defaultExperiment: string;
  readonly multiUserMode: boolean;
  readonly logger: Logger;
}

/**
 * The Kubeflow Pipelines provider: pipelines are uploaded specs whose single version is replaced
 * on update, runs and recurring runs reference a pipeline version by display name, experiments
 * are KFP experiments. Retried operations converge: a pipeline left behind by a failed create is
 * adopted, deletes of things already gone succeed.
 */
export class KfpProvider implements Provider {
  readonly pipeline: ResourceOperations<PipelineResource> = {
    create: (resource) => this.#createPipeline(resource),
    update: (id, resource) => this.#updatePipeline(id, resource),
    delete: (id) => this.#deletePipeline(id),
  };

  readonly run: ResourceOperations<RunDefinition> = {
    create: (definition) => this.#createRun(definition),
    // A run is not deleted in KFP: its history is what the operator reports on.
    delete: async () => undefined,
  };

  readonly runschedule: ResourceOperations<RunScheduleDefinition> = {
    create: (definition) => this.#createRecurringRun(definition),
    update: (id, definition) => this.#replaceRecurringRun(id, definition),
    delete: (id) => this.#options.api.deleteRecurringRun(id),
  };

  readonly experiment: ResourceOperations<ExperimentDefinition> = {
    create: (definition) => this.#createExperiment(definition),
    update: (id, definition) => this.#replaceExperiment(id, definition),
    delete: (id) => this.#options.api.deleteExperiment(id),
  };

  readonly #options: KfpProviderOptions;
  readonly #scope: KfpExperimentScope;

  constructor(options: KfpProviderOptions) {
    this.#options = options;
    this.#scope = {
      defaultExperiment: options.defaultExperiment,
      multiUserMode: options.multiUserMode,
      providerNamespace: options.providerName.namespace,
    };
  }

  async #createPipeline(resource: PipelineResource): Promise<string> {
    const spec = prepareKfpPipelineSpec(resource);
    const name = resourceName(resource.definition.name);
    let id: string;
    try {
      id = await this.#options.api.uploadPipeline(name, spec);
    } catch (error) {
      if (!isKfpAlreadyExists(error)) throw error;
      // An earlier attempt uploaded it and failed later; continue with that pipeline.
      id = await this.#options.api.findPipelineId(name);
      this.#options.logger.info('KFP pipeline already exists; adopting it', { pipeline: name, pipelineId: id });
    }
    await this.#replaceVersion(id, resource.definition.version, spec);
    return id;
  }

  async #updatePipeline(pipelineId: string, resource: PipelineResource): Promise<string> {
    await this.#replaceVersion(pipelineId, resource.definition.version, prepareKfpPipelineSpec(resource));
    return pipelineId;
  }

  /**
   * Leaves the pipeline with exactly one version, `version`. The new version is uploaded before
   * the old ones are deleted, so a failed upload leaves the pipeline usable; only a version with
   * the same name has to go first, as KFP refuses duplicate version names.
   */
  async #replaceVersion(pipelineId: string, version: string, spec: unknown): Promise<void> {
    const { api } = this.#options;
    const existing = await api.listPipelineVersions(pipelineId);
    if (existing === undefined) throw new BackendError(`KFP pipeline ${pipelineId} does not exist`);
    const sameName = existing.filter((candidate) => candidate.displayName === version);
    for (const old of sameName) await api.deletePipelineVersion(pipelineId, old.id);
    await api.uploadPipelineVersion(pipelineId, version, spec);
    for (const old of existing.filter((candidate) => !sameName.includes(candidate))) await api.deletePipelineVersion(pipelineId, old.id);
  }

  async #deletePipeline(pipelineId: string): Promise<void> {
    const { api } = this.#options;
    const versions = await api.listPipelineVersions(pipelineId);
    if (versions === undefined) return;
    for (const version of versions) await api.deletePipelineVersion(pipelineId, version.id);
    await api.deletePipeline(pipelineId);
  }

  async #runRequest(definition: RunDefinition, labels: RunLabels, displayName: string): Promise<KfpRunRequestInput> {
    const { api } = this.#options;
    // Validate what needs no backend before the first call.
    const experiment = kfpExperimentLookup(definition.experimentName, this.#scope);
    const parameters = kfpRunParameters(definition.parameters, labels);
    const pipelineName = resourceName(definition.pipelineName);
    const pipelineId = await api.findPipelineId(pipelineName);
    const version = await api.findPipelineVersion(pipelineId, definition.pipelineVersion, pipelineName);
    const experimentId = await api.findExperimentId(experiment.displayName, experiment.namespace);
    return {
      displayName,
      target: { experimentId, pipelineId, pipelineVersionId: version.id },
      parameters: typedKfpParameters(parameters, declaredKfpParameterTypes(version.spec)),
      pipelineRoot: kfpPipelineRoot(this.#options.pipelineRootStorage, definition.pipelineName),
    };
  }

  async #createRun(definition: RunDefinition): Promise<string> {
    const input = await this.#runRequest(definition, runLabels(definition, this.#options.providerName), kfpRunDisplayName(definition));
    return this.#options.api.createRun(kfpRunRequest(input));
  }

  async #createRecurringRun(definition: RunScheduleDefinition): Promise<string> {
    const labels = runScheduleLabels(definition, this.#options.providerName);
    const input = await this.#runRequest(definition, labels, resourceName(definition.name));
    return this.#options.api.createRecurringRun(kfpRecurringRunRequest(input, definition.schedule));
  }

  // The KFP API has no update of a recurring run or an experiment: a new one replaces the old.
  async #replaceRecurringRun(id: string, definition: RunScheduleDefinition): Promise<string> {
    await this.#options.api.deleteRecurringRun(id);
    return this.#createRecurringRun(definition);
  }

  async #replaceExperiment(id: string, definition: ExperimentDefinition): Promise<string> {
    await this.#options.api.deleteExperiment(id);
    return this.#createExperiment(definition);
  }

  async #createExperiment(definition: ExperimentDefinition): Promise<string> {
    const { api, multiUserMode, providerName } = this.#options;
    const namespace = multiUserMode ? providerName.namespace : undefined;
    try {
      return await api.createExperiment(kfpExperimentRequest(definition, namespace));
    } catch (error) {
      if (!isKfpAlreadyExists(error)) throw error;
      // A retried create whose first attempt reached KFP: the experiment is ours already.
      return api.findExperimentId(resourceName(definition.name), namespace);
    }
  }
}
