import { protobufStructToJson } from '../protobuf-json.js';
import type { ComponentArtifact, PipelineComponent } from '../run-completion-event.js';

// Shapes of the ML Metadata messages as a protobuf loader decodes them with snake_case names,
// int64 as strings and enums as names; only the fields the conversion reads.

/** An MLMD `Value`: exactly one member is set. */
export interface MlmdValue {
  readonly int_value?: string | number;
  readonly double_value?: number;
  readonly string_value?: string;
  /** A `google.protobuf.Struct` as decoded: `{fields: {key: Value}}` with lowerCamel members. */
  readonly struct_value?: unknown;
  readonly bool_value?: boolean;
  readonly proto_value?: unknown;
}

/** Properties of an MLMD node by name. */
export type MlmdProperties = Readonly<Record<string, MlmdValue>>;

/** An MLMD execution (a task of the run). */
export interface MlmdExecution {
  readonly id?: string;
  readonly custom_properties?: MlmdProperties;
}

/** An MLMD event linking an execution to an artifact. */
export interface MlmdEvent {
  readonly artifact_id?: string;
  readonly execution_id?: string;
  readonly type?: string;
}

/** An MLMD artifact. */
export interface MlmdArtifact {
  readonly id?: string;
  readonly uri?: string;
  readonly properties?: MlmdProperties;
  readonly custom_properties?: MlmdProperties;
}

/** The MLMD context type KFP records each run under (context name = run id). */
export const kfpRunContextType = 'system.PipelineRun';

const displayNameProperty = 'display_name';

/** The JSON form of an MLMD value for artifact metadata; `undefined` for kinds that have none. */
export function mlmdValueToJson(value: MlmdValue): unknown {
  if (value.int_value !== undefined) return Number(value.int_value);
  if (value.double_value !== undefined) return value.double_value;
  if (value.string_value !== undefined) return value.string_value;
  if (value.struct_value !== undefined) return protobufStructToJson(value.struct_value);
  return undefined;
}

function metadataOf(properties: MlmdProperties | undefined, into: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(properties ?? {})) {
    const json = mlmdValueToJson(value);
    if (json !== undefined) into[key] = json;
  }
}

/**
 * An artifact's metadata: its `properties` with its `custom_properties` merged over them. The
 * KFP v2 launcher writes metadata only into `custom_properties`, so reading `properties` alone
 * (as the Go provider does) reports nothing.
 */
export function mlmdArtifactMetadata(artifact: MlmdArtifact): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  metadataOf(artifact.properties, metadata);
  metadataOf(artifact.custom_properties, metadata);
  return metadata;
}

function displayName(properties: MlmdProperties | undefined): string | undefined {
  const value = properties?.[displayNameProperty];
  if (value === undefined) return undefined;
  return value.string_value ?? '';
}

/** The OUTPUT events among `events`. */
export function mlmdOutputEvents(events: readonly MlmdEvent[]): MlmdEvent[] {
  return events.filter((event) => event.type === 'OUTPUT');
}

/**
 * The pipeline components of a run from its MLMD executions, events and artifacts: one component
 * per execution with a `display_name`, in MLMD's order, holding one component artifact per OUTPUT
 * event whose artifact has a `display_name`; components without such outputs are left out.
 */
export function mlmdPipelineComponents(
  executions: readonly MlmdExecution[],
  events: readonly MlmdEvent[],
  artifacts: readonly MlmdArtifact[],
): PipelineComponent[] {
  const outputsByExecution = new Map<string, MlmdEvent[]>();
  for (const event of mlmdOutputEvents(events)) {
    const key = String(event.execution_id ?? '');
    const list = outputsByExecution.get(key) ?? [];
    list.push(event);
    outputsByExecution.set(key, list);
  }
  const artifactsById = new Map(artifacts.map((artifact) => [String(artifact.id ?? ''), artifact]));
  const components: PipelineComponent[] = [];
  for (const execution of executions) {
    const name = displayName(execution.custom_properties);
    if (name === undefined) continue;
    const componentArtifacts: ComponentArtifact[] = [];
    for (const event of outputsByExecution.get(String(execution.id ?? '')) ?? []) {
      if (event.artifact_id === undefined) continue;
      const artifact = artifactsById.get(String(event.artifact_id));
      const artifactName = artifact && displayName(artifact.custom_properties);
      if (!artifact || artifactName === undefined) continue;
      componentArtifacts.push({ name: artifactName, artifacts: [{ uri: artifact.uri ?? '', metadata: mlmdArtifactMetadata(artifact) }] });
    }
    if (componentArtifacts.length > 0) components.push({ name, componentArtifacts });
  }
  return components;
}
