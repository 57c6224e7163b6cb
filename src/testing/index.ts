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
