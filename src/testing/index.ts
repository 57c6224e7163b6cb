// The `kfp-provider-service/testing` entry: what a provider author needs to test a provider
// against the operator's contract, and the working in-memory doubles of the ports.

export { describeProviderContract, type ProviderContractOptions } from './describe-provider-contract.js';
export { invalidRequestBodies, type RequestBodies, validRequestBodies } from './contract-request-bodies.js';
export {
  defaultProviderOperations,
  InMemoryProvider,
  type InMemoryProviderOptions,
  type ProviderOperation,
  providerOperations,
  type ProviderOperationSet,
  type RecordedProviderCall,
  type RunCompletionScript,
} from './in-memory-provider.js';
export type { ResourceDefinitions } from '../ports/provider.js';
export { type ReceivedRequest, RecordingWebhookReceiver, type ScriptedAnswer } from './recording-webhook-receiver.js';
export {
  InMemoryRunEventSource,
  type InMemoryMessageState,
  type InMemoryRunEventSourceOptions,
} from '../adapters/memory/in-memory-run-event-source.js';

// The operator's contract as a black-box check over HTTP, for a provider service in any language
// (what `kfp-provider-service conformance <base-url>` runs).
export { conformanceCommand } from '../conformance/conformance-command.js';
export {
  type ConformanceOptions,
  type ConformanceReport,
  type ConformanceResult,
  type ConformanceRuleInfo,
  defaultConformanceBodyLimitBytes,
  defaultConformanceTimeoutMs,
  listConformanceRules,
  runConformance,
} from '../conformance/run-conformance.js';
export type { ConformanceOutcome } from '../conformance/conformance-rule.js';
export type { ConformanceAnswer, ConformanceRequest, Exchange } from '../conformance/http-exchange.js';
export { formatConformanceReport, formatConformanceResult, formatConformanceSummary } from '../conformance/format-conformance-report.js';
