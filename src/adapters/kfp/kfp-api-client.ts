import { BackendError } from '../../domain/errors.js';
import { displayNameFilter } from '../../domain/kfp/kfp-filter.js';
import { isJsonObject } from '../../domain/json-fields.js';
import { isKfpNotFound } from './kfp-http-error.js';
import type { KfpRestTransport } from './kfp-rest-transport.js';

/** A pipeline version as the provider uses it. */
export interface KfpPipelineVersion {
  readonly id: string;
  readonly displayName: string;
  /** The stored pipeline spec, when the server returned it; used to type run parameters. */
  readonly spec?: unknown;
}

function field(object: unknown, key: string): unknown {
  return isJsonObject(object) ? object[key] : undefined;
}

function stringField(object: unknown, key: string): string {
  const value = field(object, key);
  return typeof value === 'string' ? value : '';
}

function items(response: unknown, key: string): unknown[] {
  const value = field(response, key);
  return Array.isArray(value) ? value : [];
}

function requiredId(response: unknown, key: string, what: string): string {
  const id = stringField(response, key);
  if (id === '') throw new BackendError(`${what} answered without ${key}`);
  return id;
}

function exactlyOne<T>(found: readonly T[], more: boolean, description: string): T {
  if (found.length === 1 && !more) return found[0] as T;
  const count = more ? `more than ${found.length}` : String(found.length);
  throw new BackendError(`expected exactly one, but found ${count} ${description}`);
}

const segment = encodeURIComponent;

// The largest page KFP serves; the Go provider used the default of 20 and could miss versions.
const maxPageSize = '200';

/**
 * The KFP v2beta1 operations the provider uses, shaped to its needs: uploads, display-name
 * lookups that demand exactly one match, deletes that treat "already gone" as done, runs,
 * recurring runs and experiments.
 */
export class KfpApiClient {
  readonly #http: KfpRestTransport;

  constructor(http: KfpRestTransport) {
    this.#http = http;
  }

  /** Uploads a new pipeline (KFP also creates a first version) and resolves to its id. */
  async uploadPipeline(name: string, spec: unknown): Promise<string> {
    const response = await this.#http.upload('/pipelines/upload', { name }, JSON.stringify(spec));
    return requiredId(response, 'pipeline_id', 'KFP pipeline upload');
  }

  /** Uploads a version of a pipeline and resolves to the version id. */
  async uploadPipelineVersion(pipelineId: string, name: string, spec: unknown): Promise<string> {
    const response = await this.#http.upload('/pipelines/upload_version', { name, pipelineid: pipelineId }, JSON.stringify(spec));
    return stringField(response, 'pipeline_version_id');
  }

  /** The id of the one shared pipeline with this display name. */
  async findPipelineId(displayName: string): Promise<string> {
    const response = await this.#http.json('GET', '/pipelines', { query: { filter: displayNameFilter(displayName) } });
    const ids = items(response, 'pipelines').map((pipeline) => stringField(pipeline, 'pipeline_id'));
    return exactlyOne(ids, stringField(response, 'next_page_token') !== '', `pipelines named ${displayName}`);
  }

  /** The one version of a pipeline with this display name (`pipelineName` only names it in errors). */
  async findPipelineVersion(pipelineId: string, displayName: string, pipelineName: string): Promise<KfpPipelineVersion> {
    const response = await this.#http.json('GET', `/pipelines/${segment(pipelineId)}/versions`, {
      query: { filter: displayNameFilter(displayName) },
    });
    const versions = items(response, 'pipeline_versions').map(toVersion);
    return exactlyOne(
      versions,
      stringField(response, 'next_page_token') !== '',
      `versions named ${displayName} of pipeline ${pipelineName}`,
    );
  }

  /** Every version of a pipeline, following pages; `undefined` when the pipeline does not exist. */
  async listPipelineVersions(pipelineId: string): Promise<KfpPipelineVersion[] | undefined> {
    const versions: KfpPipelineVersion[] = [];
    let pageToken: string | undefined;
    do {
      let response: unknown;
      try {
        response = await this.#http.json('GET', `/pipelines/${segment(pipelineId)}/versions`, {
          query: { page_size: maxPageSize, page_token: pageToken },
        });
      } catch (error) {
        if (isKfpNotFound(error)) return undefined;
        throw error;
      }
      versions.push(...items(response, 'pipeline_versions').map(toVersion));
      pageToken = stringField(response, 'next_page_token') || undefined;
    } while (pageToken);
    return versions;
  }

  /** Deletes a pipeline version; one already gone counts as deleted. */
  async deletePipelineVersion(pipelineId: string, versionId: string): Promise<void> {
    await this.#deleteTolerant(`/pipelines/${segment(pipelineId)}/versions/${segment(versionId)}`);
  }

  /** Deletes a pipeline without versions; one already gone counts as deleted. */
  async deletePipeline(pipelineId: string): Promise<void> {
    await this.#deleteTolerant(`/pipelines/${segment(pipelineId)}`);
  }

  /** Creates a run from a prepared body and resolves to the run id. */
  async createRun(body: Record<string, unknown>): Promise<string> {
    return requiredId(await this.#http.json('POST', '/runs', { body }), 'run_id', 'KFP run creation');
  }

  /** The run as KFP reports it; `undefined` when it does not exist. */
  async getRun(runId: string): Promise<unknown> {
    try {
      return await this.#http.json('GET', `/runs/${segment(runId)}`);
    } catch (error) {
      if (isKfpNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Creates a recurring run from a prepared body and resolves to its id. */
  async createRecurringRun(body: Record<string, unknown>): Promise<string> {
    return requiredId(await this.#http.json('POST', '/recurringruns', { body }), 'recurring_run_id', 'KFP recurring run creation');
  }

  /** Deletes a recurring run; one already gone counts as deleted. */
  async deleteRecurringRun(id: string): Promise<void> {
    await this.#deleteTolerant(`/recurringruns/${segment(id)}`);
  }

  /** Creates an experiment from a prepared body and resolves to its id. */
  async createExperiment(body: Record<string, unknown>): Promise<string> {
    return requiredId(await this.#http.json('POST', '/experiments', { body }), 'experiment_id', 'KFP experiment creation');
  }

  /** The id of the one experiment with this display name, searched in `namespace` when given. */
  async findExperimentId(displayName: string, namespace: string | undefined): Promise<string> {
    const response = await this.#http.json('GET', '/experiments', { query: { filter: displayNameFilter(displayName), namespace } });
    const ids = items(response, 'experiments').map((experiment) => stringField(experiment, 'experiment_id'));
    const where = namespace ? ` in namespace ${namespace}` : '';
    return exactlyOne(ids, stringField(response, 'next_page_token') !== '', `experiments named ${displayName}${where}`);
  }

  /** Deletes an experiment; one already gone counts as deleted. */
  async deleteExperiment(id: string): Promise<void> {
    await this.#deleteTolerant(`/experiments/${segment(id)}`);
  }

  async #deleteTolerant(path: string): Promise<void> {
    try {
      await this.#http.json('DELETE', path);
    } catch (error) {
      if (!isKfpNotFound(error)) throw error;
    }
  }
}

function toVersion(version: unknown): KfpPipelineVersion {
  const spec = field(version, 'pipeline_spec');
  return {
    id: stringField(version, 'pipeline_version_id'),
    displayName: stringField(version, 'display_name'),
    ...(spec !== undefined ? { spec } : {}),
  };
}
