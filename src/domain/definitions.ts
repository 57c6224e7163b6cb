import type { CronExpression } from './cron.js';
import type { NamespacedName } from './namespaced-name.js';

/** An environment variable of a pipeline's image. */
export interface EnvVar {
  readonly name: string;
  readonly value: string;
}

/** The pipeline framework (`tfx`, `kfpsdk`, …) and its free-form parameters. */
export interface PipelineFramework {
  readonly name: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** The operator's Pipeline resource as the provider receives it. */
export interface PipelineDefinition {
  readonly name: NamespacedName;
  readonly version: string;
  readonly image: string;
  readonly env: readonly EnvVar[];
  readonly framework: PipelineFramework;
}

/** The body of a pipeline create or update: the definition plus the compiled pipeline JSON. */
export interface PipelineResource {
  readonly definition: PipelineDefinition;
  /** Whatever the framework's compiler produced; providers interpret it. */
  readonly compiledPipeline: unknown;
}

/** A run output the operator wants reported: `path` is `component:artifact[:index][filter]`. */
export interface OutputArtifact {
  readonly name: string;
  readonly path: string;
}

/** What caused a run: a schedule, a run configuration, a manual run… */
export interface TriggerIndicator {
  readonly type: string;
  readonly source: string;
  readonly sourceNamespace: string;
}

/** The operator's Run resource as the provider receives it. */
export interface RunDefinition {
  readonly name: NamespacedName;
  readonly version: string;
  readonly pipelineName: NamespacedName;
  readonly pipelineVersion: string;
  readonly runConfigurationName: NamespacedName;
  readonly experimentName: NamespacedName;
  readonly parameters: Readonly<Record<string, string>>;
  readonly artifacts: readonly OutputArtifact[];
  readonly triggerIndicator?: TriggerIndicator;
}

/** When a run schedule fires. Times are absolute instants; both bounds are optional. */
export interface Schedule {
  readonly cron: CronExpression;
  readonly startTime?: Date;
  readonly endTime?: Date;
}

/** The operator's RunSchedule resource: a run definition fired on a schedule. */
export interface RunScheduleDefinition extends RunDefinition {
  readonly schedule: Schedule;
  readonly triggerIndicator: TriggerIndicator;
}

/** The operator's Experiment resource. */
export interface ExperimentDefinition {
  readonly name: NamespacedName;
  readonly version: string;
  readonly description: string;
}
