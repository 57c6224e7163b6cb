import { type NamespacedName, formatNamespacedName } from '../namespaced-name.js';

/**
 * The GCS object a compiled pipeline version is stored at: `{ns}/{name}/{version}` (or
 * `{name}/{version}` without a namespace), so that every version of a pipeline shares one prefix.
 */
export function pipelineObjectPath(pipeline: NamespacedName, version: string): string {
  return `${formatNamespacedName(pipeline)}/${version}`;
}

/** The prefix every stored version of a pipeline lives under; deleting a pipeline empties it. */
export function pipelineObjectPrefix(pipelineId: string): string {
  return `${pipelineId}/`;
}

/** The `gs://` URI Vertex AI records as the job's template: where the compiled pipeline lives. */
export function pipelineTemplateUri(bucket: string, pipeline: NamespacedName, version: string): string {
  return `gs://${bucket}/${pipelineObjectPath(pipeline, version)}`;
}
