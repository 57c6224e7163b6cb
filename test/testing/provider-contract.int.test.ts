import { InMemoryRunEventSource } from '../../src/adapters/memory/in-memory-run-event-source.js';
import type { LocalProvider } from '../../src/adapters/local/local-provider.js';
import { createLocalProvider } from '../../src/adapters/local/create-local-provider.js';
import { describeProviderContract } from '../../src/testing/describe-provider-contract.js';
import { InMemoryProvider } from '../../src/testing/in-memory-provider.js';

// The same contract suite a custom provider author runs, against the providers shipped here.

describeProviderContract('local provider', () => createLocalProvider({ events: new InMemoryRunEventSource(), runDurationMs: 60_000 }), {
  dispose: (provider) => (provider as LocalProvider).close(),
});

describeProviderContract('in-memory test provider', () => new InMemoryProvider());

describeProviderContract('in-memory test provider without experiments', () => new InMemoryProvider({ operations: { experiment: [] } }), {
  operations: { experiment: [] },
});
