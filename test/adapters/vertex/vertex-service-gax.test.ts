import { createRequire } from 'node:module';
import { expect } from 'chai';
import * as gax from 'google-gax';
import { vertexServiceGax } from '../../../src/adapters/vertex/vertex-service-gax.js';

const require = createRequire(import.meta.url);

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

  it('leaves any other definitions to the real google-gax', () => {
    const trimmed = vertexServiceGax(gax);
    const other = { nested: { bench: { nested: { Ping: { fields: { id: { type: 'string', id: 1 } } } } } } };
    expect(trimmed.protobufFromJSON(other).lookup('bench.Ping')).to.not.equal(null);
    expect(trimmed.protobuf.Root.fromJSON(other).lookup('bench.Ping')).to.not.equal(null);
    expect(trimmed.grpc).to.equal(gax.grpc);
  });
});
