import { createProviderService, InMemoryRunEventSource, parseNamespacedName, type ProviderService } from '../../src/index.js';
import { BatchJobNormaliser } from './batch-job-normaliser.js';
import { BatchQueueProvider } from './batch-queue-provider.js';

/**
 * Runs the batch queue provider behind the operator's HTTP API: requests reach the provider,
 * job events go through the event pipeline and the webhook sink to `OPERATORWEBHOOK`.
 */
export async function startBatchQueueService(operatorWebhook: string): Promise<ProviderService> {
  const events = new InMemoryRunEventSource();
  const service = createProviderService({
    provider: new BatchQueueProvider(events),
    eventSource: events,
    normaliser: new BatchJobNormaliser(parseNamespacedName('kfp/batch-queue')),
    config: { OPERATORWEBHOOK: operatorWebhook, PROVIDERNAME: 'kfp/batch-queue' },
  });
  await service.start();
  return service;
}
