import { createRequire } from 'node:module';
import * as grpc from '@grpc/grpc-js';
import { expect } from 'chai';
import * as gax from 'google-gax';
import { grpcServiceClients, grpcServiceClientsOfJson } from '../../../src/adapters/vertex/grpc-service-clients.js';
import { vertexServiceGax } from '../../../src/adapters/vertex/vertex-service-gax.js';
import { serviceClientAt } from '../../support/grpc-service-client.js';

const require = createRequire(import.meta.url);

// The definitions the bundled Pub/Sub clients hand over, as the package ships them.
const pubsubJson = (): gax.protobuf.INamespace => require('@google-cloud/pubsub-api/build/protos/protos.json') as gax.protobuf.INamespace;

// What google-gax's own loadProtoJSON gives, through @grpc/proto-loader.
function byGax(json: gax.protobuf.INamespace): grpc.GrpcObject {
  return new gax.GrpcClient({ universeDomain: 'googleapis.com' }).loadProtoJSON(json, true);
}

const subscriber = 'google.pubsub.v1.Subscriber';
const pubsubServices = [subscriber, 'google.pubsub.v1.Publisher', 'google.pubsub.v1.SchemaService'];

// Timestamps (int64 seconds), enums, maps, nested messages and repeated fields, as the service receives them.
const subscription = {
  name: 'projects/p/subscriptions/events',
  topic: 'projects/p/topics/logs',
  ackDeadlineSeconds: 60,
  retainAckedMessages: false,
  labels: { team: 'ml' },
  expirationPolicy: { ttl: { seconds: '86400', nanos: 0 } },
  state: 'ACTIVE',
};
const streamingPullResponse = {
  receivedMessages: [
    {
      ackId: 'ack-1',
      deliveryAttempt: 2,
      message: {
        data: Buffer.from('{"resource":{}}'),
        attributes: { 'logging.googleapis.com/timestamp': '2024-01-01T00:00:00Z' },
        messageId: '1',
        publishTime: { seconds: '1704067200', nanos: 5 },
      },
    },
  ],
};

describe('grpcServiceClients', () => {
  it("gives every Pub/Sub method the path, stream flags and camelCase name that google-gax's loadProtoJSON gives it", () => {
    const ours = grpcServiceClientsOfJson(gax, pubsubJson());
    const theirs = byGax(pubsubJson());
    for (const service of pubsubServices) {
      const mine = serviceClientAt(ours, service).service;
      const expected = serviceClientAt(theirs, service).service;
      expect(Object.keys(mine), service).to.deep.equal(Object.keys(expected));
      for (const [name, method] of Object.entries(expected)) {
        const { path, requestStream, responseStream, originalName } = mine[name]!;
        expect({ path, requestStream, responseStream, originalName }, `${service}.${name}`).to.deep.equal({
          path: method.path,
          requestStream: method.requestStream,
          responseStream: method.responseStream,
          originalName: method.originalName,
        });
      }
    }
  });

  it('does the same for the Vertex AI pipeline and schedule services the Vertex clients are given', () => {
    const root = vertexServiceGax(gax).serviceRoot();
    const ours = grpcServiceClients(gax, root);
    const theirs = byGax(root.toJSON());
    for (const service of ['google.cloud.aiplatform.v1.PipelineService', 'google.cloud.aiplatform.v1.ScheduleService']) {
      const mine = serviceClientAt(ours, service).service;
      const expected = serviceClientAt(theirs, service).service;
      expect(Object.keys(mine), service).to.deep.equal(Object.keys(expected));
      for (const [name, method] of Object.entries(expected)) {
        expect([mine[name]!.path, mine[name]!.originalName], `${service}.${name}`).to.deep.equal([method.path, method.originalName]);
      }
    }
  });

  it('encodes requests to the same bytes and decodes answers to the same objects, defaults included', () => {
    const mine = serviceClientAt(grpcServiceClientsOfJson(gax, pubsubJson()), subscriber).service;
    const expected = serviceClientAt(byGax(pubsubJson()), subscriber).service;
    const pull = { subscription: subscription.name, ackIds: ['a', 'b'], streamAckDeadlineSeconds: 60, maxOutstandingMessages: '100' };
    expect(mine['StreamingPull']!.requestSerialize(pull)).to.deep.equal(expected['StreamingPull']!.requestSerialize(pull));
    const answer = expected['StreamingPull']!.responseSerialize(streamingPullResponse);
    const decoded = mine['StreamingPull']!.responseDeserialize(answer);
    expect(decoded).to.deep.equal(expected['StreamingPull']!.responseDeserialize(answer));
    // Longs and enums as strings, and unset fields filled in, as the Pub/Sub client reads them.
    const message = (decoded as typeof streamingPullResponse).receivedMessages[0]!.message;
    expect(message.publishTime).to.deep.equal({ seconds: '1704067200', nanos: 5 });
    expect(message).to.have.property('orderingKey', '');
    const bytes = expected['GetSubscription']!.responseSerialize(subscription);
    const got = mine['GetSubscription']!.responseDeserialize(bytes) as Record<string, unknown>;
    expect(got).to.deep.equal(expected['GetSubscription']!.responseDeserialize(bytes));
    expect(got).to.include({ state: 'ACTIVE', enableMessageOrdering: false });
  });

  it('refuses to send an array as a message', () => {
    const mine = serviceClientAt(grpcServiceClientsOfJson(gax, pubsubJson()), subscriber).service;
    expect(() => mine['Acknowledge']!.requestSerialize([{ ackIds: ['a'] }])).to.throw(TypeError, /google\.pubsub\.v1\.AcknowledgeRequest/);
  });

  it('builds the constructors once per definitions object, as loadProtoJSON caches them', () => {
    const json = pubsubJson();
    expect(grpcServiceClientsOfJson(gax, json)).to.equal(grpcServiceClientsOfJson(gax, json));
  });

  describe('over the wire, against a server built by @grpc/proto-loader', () => {
    let server: grpc.Server;
    let client: grpc.Client & Record<string, (...args: unknown[]) => unknown>;
    const received: Array<{ method: string; request: unknown }> = [];

    before(async () => {
      server = new grpc.Server();
      server.addService(serviceClientAt(byGax(pubsubJson()), subscriber).service, {
        getSubscription(call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) {
          received.push({ method: 'GetSubscription', request: call.request });
          callback(null, subscription);
        },
        streamingPull(call: grpc.ServerDuplexStream<unknown, unknown>) {
          call.on('data', (request: unknown) => {
            received.push({ method: 'StreamingPull', request });
            call.write(streamingPullResponse);
            call.end();
          });
        },
      });
      const port = await new Promise<number>((resolve, reject) => {
        server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
          error ? reject(error) : resolve(bound),
        );
      });
      const Subscriber = serviceClientAt(grpcServiceClientsOfJson(gax, pubsubJson()), subscriber);
      client = new Subscriber(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as typeof client;
    });

    after(async () => {
      client?.close();
      await new Promise<void>((resolve) => (server ? server.tryShutdown(() => resolve()) : resolve()));
    });

    it('a unary call by its camelCase name: the server decodes the request, the client the answer', async () => {
      const answer = await new Promise<unknown>((resolve, reject) => {
        client['getSubscription']!({ subscription: subscription.name }, (error: Error | null, value: unknown) =>
          error ? reject(error) : resolve(value),
        );
      });
      expect(received.at(-1)).to.deep.include({ method: 'GetSubscription' });
      expect(received.at(-1)!.request).to.include({ subscription: subscription.name });
      expect(answer).to.deep.include({ name: subscription.name, state: 'ACTIVE', labels: { team: 'ml' } });
    });

    it('a bidirectional stream: a pull request goes out, received messages come back', async () => {
      const call = client['streamingPull']!() as grpc.ClientDuplexStream<unknown, typeof streamingPullResponse>;
      const answers: Array<typeof streamingPullResponse> = [];
      const ended = new Promise<void>((resolve, reject) => {
        call.on('data', (answer: typeof streamingPullResponse) => answers.push(answer));
        call.on('error', reject);
        call.on('end', resolve);
      });
      call.write({ subscription: subscription.name, streamAckDeadlineSeconds: 30 });
      await ended;
      call.end();
      expect(received.at(-1)).to.deep.include({ method: 'StreamingPull' });
      expect(received.at(-1)!.request).to.include({ subscription: subscription.name, streamAckDeadlineSeconds: 30 });
      expect(answers).to.have.length(1);
      expect(answers[0]!.receivedMessages[0]).to.deep.include({ ackId: 'ack-1', deliveryAttempt: 2 });
      expect(Buffer.from(answers[0]!.receivedMessages[0]!.message.data).toString()).to.equal('{"resource":{}}');
    });
  });
});
