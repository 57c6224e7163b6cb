import { createRequire } from 'node:module';
import { expect } from 'chai';
import * as gax from 'google-gax';
import { aiplatformProtosStandIn } from '../../../src/adapters/vertex/aiplatform-protos-stand-in.js';
import { vertexServiceGax } from '../../../src/adapters/vertex/vertex-service-gax.js';

const require = createRequire(import.meta.url);

/** Every message type and service defined under `namespace`, by full name. */
function definitionsIn(namespace: gax.protobuf.NamespaceBase): { types: string[]; services: string[] } {
  const found = { types: [] as string[], services: [] as string[] };
  for (const nested of namespace.nestedArray) {
    if (nested instanceof gax.protobuf.Type) found.types.push(nested.fullName);
    if (nested instanceof gax.protobuf.Service) found.services.push(nested.fullName);
    if (nested instanceof gax.protobuf.Namespace) {
      const inner = definitionsIn(nested);
      found.types.push(...inner.types);
      found.services.push(...inner.services);
    }
  }
  return found;
}

describe('vertexServiceGax', () => {
  // Loading a client module is what puts the bundle in the module cache, as in production.
  before(async () => {
    await import('@google-cloud/aiplatform/build/src/v1/pipeline_service_client.js');
  });

  const bundle = (): gax.protobuf.INamespace => require('@google-cloud/aiplatform/build/protos/protos.json') as gax.protobuf.INamespace;

  it('gives the clients the pipeline and schedule services instead of the whole bundle', () => {
    const trimmed = vertexServiceGax(gax);
    const grpcClient = new trimmed.GrpcClient({ universeDomain: 'googleapis.com' });
    const loaded = grpcClient.loadProtoJSON(bundle()) as unknown as { google: { cloud: { aiplatform: { v1: Record<string, unknown> } } } };
    expect(loaded.google.cloud.aiplatform.v1).to.include.keys('PipelineService', 'ScheduleService');
    expect(loaded.google.cloud.aiplatform.v1).not.to.have.property('DatasetService');
  });

  it('decodes long-running operation results and metadata from the same definitions', () => {
    const trimmed = vertexServiceGax(gax);
    const root = trimmed.protobufFromJSON(bundle());
    expect(root.lookup('.google.cloud.aiplatform.v1.DeleteOperationMetadata')).to.not.equal(null);
    expect(root.lookup('.google.protobuf.Empty')).to.not.equal(null);
    expect(root.lookup('.google.cloud.aiplatform.v1.Dataset')).to.equal(null);
    expect(trimmed.protobuf.Root.fromJSON(bundle())).to.equal(root);
  });

  it('real clients built with it load only the two services, never the whole bundle', async () => {
    const [{ PipelineServiceClient }, { ScheduleServiceClient }] = await Promise.all([
      import('@google-cloud/aiplatform/build/src/v1/pipeline_service_client.js'),
      import('@google-cloud/aiplatform/build/src/v1/schedule_service_client.js'),
    ]);
    const trimmed = vertexServiceGax(gax);
    const roots: gax.protobuf.Root[] = [];
    const observed: typeof trimmed = {
      ...trimmed,
      protobufFromJSON: (json: object, ignoreCache?: boolean) => {
        const root = trimmed.protobufFromJSON(json, ignoreCache);
        roots.push(root);
        return root;
      },
    };
    const options = {
      apiEndpoint: '127.0.0.1',
      port: 1,
      universeDomain: 'googleapis.com',
      sslCreds: gax.grpc.credentials.createInsecure(),
    };
    const clients = [new PipelineServiceClient(options, observed), new ScheduleServiceClient(options, observed)];
    try {
      for (const client of clients) {
        const loaded = (client as unknown as { _protos: { google: { cloud: { aiplatform: { v1: Record<string, unknown> } } } } })._protos;
        // schedule_service.proto imports notebook_service.proto (schedules can run notebooks).
        const services = Object.keys(loaded.google.cloud.aiplatform.v1).filter((name) => name.endsWith('Service'));
        expect(services).to.have.members(['PipelineService', 'ScheduleService', 'NotebookService']);
      }
      expect(roots).to.have.length(2);
      const full = definitionsIn(gax.protobuf.Root.fromJSON(bundle()));
      for (const root of roots) {
        const { types, services } = definitionsIn(root);
        expect(services.filter((name) => name.startsWith('.google.cloud.aiplatform.'))).to.have.members([
          '.google.cloud.aiplatform.v1.PipelineService',
          '.google.cloud.aiplatform.v1.ScheduleService',
          '.google.cloud.aiplatform.v1.NotebookService',
        ]);
        // The bundle defines every Vertex AI API version; the two services need a small part of it.
        expect(types.length)
          .to.be.greaterThan(100)
          .and.lessThan(full.types.length / 4);
      }
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });

  it("takes the service bundle's stand-in for the clients' definitions as it takes their bundle", () => {
    const trimmed = vertexServiceGax(gax);
    const grpcClient = new trimmed.GrpcClient({ universeDomain: 'googleapis.com' });
    const loaded = grpcClient.loadProtoJSON(aiplatformProtosStandIn) as unknown as {
      google: { cloud: { aiplatform: { v1: Record<string, unknown> } } };
    };
    expect(loaded.google.cloud.aiplatform.v1).to.include.keys('PipelineService', 'ScheduleService');
    expect(trimmed.protobufFromJSON(aiplatformProtosStandIn)).to.equal(trimmed.serviceRoot());
    expect(trimmed.protobuf.Root.fromJSON(aiplatformProtosStandIn)).to.equal(trimmed.serviceRoot());
    // An empty set of definitions that is not the stand-in stays empty.
    expect(trimmed.protobufFromJSON({ nested: {} }).lookup('google.cloud.aiplatform.v1.PipelineJob')).to.equal(null);
  });

  it('leaves any other definitions to the real google-gax', () => {
    const trimmed = vertexServiceGax(gax);
    const other = { nested: { bench: { nested: { Ping: { fields: { id: { type: 'string', id: 1 } } } } } } };
    expect(trimmed.protobufFromJSON(other).lookup('bench.Ping')).to.not.equal(null);
    expect(trimmed.protobuf.Root.fromJSON(other).lookup('bench.Ping')).to.not.equal(null);
    expect(trimmed.grpc).to.equal(gax.grpc);
  });
});
