// The package entry for embedding the provider service in another TypeScript tool. Every export
// is listed by name. Nothing here loads a cloud SDK: the Vertex AI and Kubeflow modules are
// imported only when `createProviderService` is asked for that provider kind.

// Domain: the operator's definitions and the rules every provider shares.
export type {
  EnvVar,
  ExperimentDefinition,
  OutputArtifact,
  PipelineDefinition,
  PipelineFramework,
  PipelineResource,
  RunDefinition,
  RunScheduleDefinition,
  Schedule,
  TriggerIndicator,
} from './domain/definitions.js';
export {
  decodeExperimentDefinition,
  decodePipelineResource,
  decodeRunDefinition,
  decodeRunScheduleDefinition,
} from './domain/definition-decoding.js';
export { type CronExpression, parseCron } from './domain/cron.js';
export {
  emptyNamespacedName,
  formatNamespacedName,
  isEmptyNamespacedName,
  type NamespacedName,
  parseNamespacedName,
  resourceName,
} from './domain/namespaced-name.js';
export {
  type Artifact,
  type ComponentArtifact,
  type PipelineComponent,
  type RunCompletionEvent,
  type RunCompletionEventData,
  type RunCompletionStatus,
  runCompletionStatuses,
  toRunCompletionEventData,
  unacceptableEventReason,
} from './domain/run-completion-event.js';
export { completedOrInvalid, type EventNormalisation, ignoreEvent, invalidEvent, pendingEvent } from './domain/event-normalisation.js';
export {
  BackendError,
  InvalidInputError,
  isProviderError,
  NotFoundError,
  NotImplementedError,
  ProviderError,
  type ProviderErrorKind,
  providerErrorKinds,
} from './domain/errors.js';
export { allRunLabelKeys, type RunLabels, runLabelKeys, runLabels, runScheduleLabels, scheduleTrigger } from './domain/run-labels.js';
export { statusOfArgoWorkflowPhase, statusOfVertexJobState } from './domain/run-status-mapping.js';
export { localOutcomeParameter } from './domain/local-run-outcome.js';

// Ports: what a custom provider implements, and what its events pass through.
export { Provider, type ResourceDefinitions, type ResourceOperations, type ResourceType, resourceTypes } from './ports/provider.js';
export { type RunEventMessage, RunEventSource, type RunEventSourceHealth } from './ports/run-event-source.js';
export { RunEventNormaliser } from './ports/run-event-normaliser.js';
export { type DeliveryOutcome, RunCompletionSink } from './ports/run-completion-sink.js';
export { type LogFields, Logger, type LogLevel, logLevels } from './ports/logger.js';
export { Clock } from './ports/clock.js';
export { IdGenerator } from './ports/id-generator.js';

// Configuration, as the operator sets it in the environment.
export {
  type CommonServiceConfig,
  ConfigError,
  configDefaults,
  type EventsConfig,
  formatConfigHelp,
  type KfpServiceConfig,
  loadServiceConfig,
  type LocalServiceConfig,
  narrowServiceConfig,
  ServiceConfig,
  type ServiceConfigFor,
  type ProviderType,
  providerTypes,
  type VertexServiceConfig,
} from './config/service-config.js';
export { describeConfig } from './config/describe-config.js';
export { type ConfigProblem, type Env, type ParameterType, type ParameterValue } from './config/setting.js';
export { type LocalProviderConfig } from './config/local-config.js';
export { type VertexProviderConfig } from './config/vertex-config.js';
export { type KfpProviderConfig } from './config/kfp-config.js';

// Composition: building and running a service. The container, its tokens and the event
// pipeline stay internal, so that reshaping the wiring never breaks a library user.
export {
  createProviderService,
  type ProviderService,
  type ProviderServiceOptions,
  type ServiceEnvironment,
} from './composition/create-provider-service.js';
export { createWebhookSink, type CreateWebhookSinkOptions } from './composition/create-webhook-sink.js';

// Built-in adapters that need no cloud.
export { createLocalProvider, type CreateLocalProviderOptions } from './adapters/local/create-local-provider.js';
export type { LocalProvider } from './adapters/local/local-provider.js';
export type { PublishingRunEventSource } from './adapters/local/publishing-run-event-source.js';
export {
  type InMemoryMessageState,
  InMemoryRunEventSource,
  type InMemoryRunEventSourceOptions,
} from './adapters/memory/in-memory-run-event-source.js';
export { createPinoLogger } from './adapters/logging/pino-logger.js';
export { silentLogger } from './adapters/logging/silent-logger.js';
export type { PrometheusMetrics } from './adapters/metrics/prometheus-metrics.js';
