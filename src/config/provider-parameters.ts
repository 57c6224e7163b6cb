/**
 * The Provider resource's `spec.parameters` as the operator passes them: one `PARAMETERS_<KEY>`
 * variable per key, the key upper-cased, the value the raw string for strings and JSON text for
 * everything else. Known keys get their camelCase spelling and type back; unknown keys keep the
 * lower-cased name and are decoded as JSON when that yields a non-string.
 */

/** The type a known parameter has in `spec.parameters`. */
export type ParameterType = 'string' | 'number' | 'boolean';

/** The parameters this service knows, with their types and what they are for. */
export const knownParameters: Readonly<Record<string, { type: ParameterType; doc: string }>> = Object.freeze({
  vaiProject: { type: 'string', doc: 'Google Cloud project of Vertex AI, Pub/Sub (vai)' },
  vaiLocation: { type: 'string', doc: 'Vertex AI region, e.g. europe-west2 (vai)' },
  vaiJobServiceAccount: { type: 'string', doc: 'service account pipeline jobs run as (vai)' },
  vaiEndpoint: { type: 'string', doc: 'Vertex AI gRPC endpoint; http://host:port means plaintext without credentials (vai)' },
  pipelineBucket: { type: 'string', doc: 'GCS bucket holding compiled pipelines (vai)' },
  eventsourcePipelineEventsSubscription: { type: 'string', doc: 'Pub/Sub subscription receiving pipeline job log entries (vai)' },
  maxConcurrentRunCount: { type: 'number', doc: 'max concurrent runs of a schedule, default 10 (vai)' },
  pscNetworkAttachment: { type: 'string', doc: 'Private Service Connect network attachment for jobs (vai)' },
  gcsEndpoint: { type: 'string', doc: 'GCS endpoint override; disables credentials (vai)' },
  restKfpApiUrl: { type: 'string', doc: 'base URL of the KFP API server REST port (kfp)' },
  grpcKfpApiAddress: { type: 'string', doc: 'KFP gRPC address; accepted for compatibility, unused (kfp)' },
  grpcMetadataStoreAddress: { type: 'string', doc: 'ML Metadata gRPC host:port (kfp)' },
  kfpNamespace: {
    type: 'string',
    doc: 'namespace whose Argo Workflows are watched; empty or unset = all namespaces, which multi-user mode needs (kfp)',
  },
  kfpMultiUserMode: { type: 'boolean', doc: 'multi-user Kubeflow: bearer token and namespaced experiments (kfp)' },
  defaultExperiment: { type: 'string', doc: 'experiment used when a run names none (kfp)' },
  kfpWorkflowEvents: {
    type: 'string',
    doc: 'where finished workflows come from: watch (list+watch, needs RBAC) or relay (Argo Events only) (kfp)',
  },
  runDurationMs: { type: 'number', doc: 'how long a local run takes before it completes, default 2000 (local)' },
});

const prefix = 'PARAMETERS_';
const knownByUpperCase = new Map(Object.keys(knownParameters).map((key) => [key.toUpperCase(), key]));

/** A decoded parameter value. */
export type ParameterValue = string | number | boolean | null | readonly unknown[] | Readonly<Record<string, unknown>>;

function decodeKnown(variable: string, raw: string, type: ParameterType): ParameterValue {
  if (type === 'string') return raw;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  if (typeof value !== type) throw new Error(`${variable}="${raw}" is not a valid ${type}`);
  return value as ParameterValue;
}

function decodeUnknown(raw: string): ParameterValue {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'string' ? raw : (value as ParameterValue);
  } catch {
    return raw;
  }
}

/** Collects every `PARAMETERS_<KEY>` variable into a camelCase-keyed map of typed values. */
export function readProviderParameters(env: Readonly<Record<string, string | undefined>>): Record<string, ParameterValue> {
  const parameters: Record<string, ParameterValue> = {};
  for (const [variable, raw] of Object.entries(env)) {
    if (!variable.toUpperCase().startsWith(prefix) || raw === undefined) continue;
    const upperKey = variable.slice(prefix.length).toUpperCase();
    const known = knownByUpperCase.get(upperKey);
    if (known) parameters[known] = decodeKnown(variable, raw, knownParameters[known]!.type);
    else parameters[upperKey.toLowerCase()] = decodeUnknown(raw);
  }
  return parameters;
}
