import type { Container } from 'inversify';
import { Provider } from '../../src/ports/provider.js';
import { describeProviderContract } from '../../src/testing/describe-provider-contract.js';
import { vertexTestContainer } from '../adapters/vertex/vertex-test-container.js';
import { FakeGcsServer } from '../support/fake-gcs-server.js';
import { FakeVertexServer } from '../support/fake-vertex-server.js';

// The contract suite against the real Vertex AI provider (the real module, storage and gRPC
// clients) pointed at the in-test gRPC and GCS servers. Vertex AI keeps no experiments and a run
// cannot be updated, so those answer 501; deleting a run is a no-op that still answers 200 {}.
describe('Vertex AI provider against in-test Vertex AI and GCS servers', function vertexContract() {
  let vertex: FakeVertexServer | undefined;
  let gcs: FakeGcsServer | undefined;
  let container: Container | undefined;

  before(async function startServers() {
    // Tracking schedules makes a second delete reach the NOT_FOUND that real Vertex AI answers.
    vertex = await new FakeVertexServer({ tracksSchedules: true }).start();
    gcs = await new FakeGcsServer().start();
  });

  after(async function stopServers() {
    // The suite's own after hook has released the container's clients by now.
    await Promise.all([vertex?.stop(), gcs?.stop()]);
  });

  describeProviderContract(
    'vai',
    async () => {
      if (!vertex || !gcs) throw new Error('the in-test servers did not start');
      container = vertexTestContainer({ vaiEndpoint: vertex.endpoint, gcsEndpoint: `${gcs.url}/storage/v1/` });
      return container.getAsync<Provider>(Provider);
    },
    {
      operations: { run: ['create', 'delete'], experiment: [] },
      // A schedule id is a full resource name, slashes and all; this one never existed.
      missingIds: { runschedule: 'projects/test-project/locations/europe-west2/schedules/contract-never-created' },
      dispose: async () => container?.unbindAllAsync(),
      timeoutMs: 20_000,
    },
  );
});
