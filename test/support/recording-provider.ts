import type { Provider, ResourceType } from '../../src/ports/provider.js';

/** One call the provider received. */
export interface ProviderCall {
  readonly type: ResourceType;
  readonly operation: 'create' | 'update' | 'delete';
  readonly id?: string;
  readonly definition?: unknown;
}

/**
 * A test double of the Provider port at the HTTP edge: records each call and answers with
 * `answer`, which may throw to script a failure. `run.update` is left out as on every provider.
 */
export function recordingProvider(answer: (call: ProviderCall) => string = (call) => call.id ?? `${call.type}-id`): {
  provider: Provider;
  calls: ProviderCall[];
} {
  const calls: ProviderCall[] = [];
  const record = async (call: ProviderCall): Promise<string> => {
    calls.push(call);
    return answer(call);
  };
  const operations = (type: ResourceType) => ({
    create: (definition: unknown) => record({ type, operation: 'create', definition }),
    update: (id: string, definition: unknown) => record({ type, operation: 'update', id, definition }),
    delete: async (id: string) => {
      await record({ type, operation: 'delete', id });
    },
  });
  const { update: _noRunUpdate, ...run } = operations('run');
  const provider: Provider = {
    pipeline: operations('pipeline'),
    run,
    runschedule: operations('runschedule'),
    experiment: operations('experiment'),
  };
  return { provider, calls };
}
