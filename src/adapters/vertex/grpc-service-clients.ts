import type * as Gax from 'google-gax';

type Protobuf = typeof Gax.protobuf;
type MessageConversion = Gax.protobuf.IConversionOptions;

/** What of a google-gax module the constructors are built with. */
export interface GaxParts {
  readonly grpc: typeof Gax.grpc;
  readonly protobuf: Protobuf;
  readonly GrpcClient: typeof Gax.GrpcClient;
}

// What loadProtoJSON hands @grpc/proto-loader, so objects are converted the same way (enums and
// longs as strings, defaults filled in). Private in google-gax's types only.
function gaxConversion(gax: GaxParts): MessageConversion {
  return (gax.GrpcClient as unknown as { defaultOptions(): MessageConversion }).defaultOptions();
}

function servicesIn(namespace: Gax.protobuf.NamespaceBase, protobuf: Protobuf): Gax.protobuf.Service[] {
  return namespace.nestedArray.flatMap((nested) => {
    if (nested instanceof protobuf.Service) return [nested];
    return nested instanceof protobuf.Namespace ? servicesIn(nested, protobuf) : [];
  });
}

function serializer(type: Gax.protobuf.Type): (value: object) => Buffer {
  return (value) => {
    // An array is a caller's mistake that fromObject would encode as an empty message.
    if (Array.isArray(value)) throw new TypeError(`${type.fullName}: cannot send an array as a message`);
    const bytes = type.encode(type.fromObject(value)).finish();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer(type: Gax.protobuf.Type, conversion: MessageConversion): (bytes: Buffer) => object {
  return (bytes) => type.toObject(type.decode(bytes), conversion);
}

function resolved(method: Gax.protobuf.Method, part: 'resolvedRequestType' | 'resolvedResponseType'): Gax.protobuf.Type {
  const type = method[part];
  if (!type) throw new Error(`${method.parent?.fullName ?? ''}.${method.name}: ${part} is not resolved`);
  return type;
}

function methodDefinition(
  method: Gax.protobuf.Method,
  serviceName: string,
  conversion: MessageConversion,
): Gax.grpc.MethodDefinition<object, object> {
  const request = resolved(method, 'resolvedRequestType');
  const response = resolved(method, 'resolvedResponseType');
  return {
    path: `/${serviceName}/${method.name}`,
    requestStream: method.requestStream === true,
    responseStream: method.responseStream === true,
    requestSerialize: serializer(request),
    requestDeserialize: deserializer(request, conversion),
    responseSerialize: serializer(response),
    responseDeserialize: deserializer(response, conversion),
    // The generated clients call the stub's methods by their camelCase names.
    originalName: method.name.charAt(0).toLowerCase() + method.name.slice(1),
  };
}

/**
 * gRPC client constructors for every service of a resolved protobufjs `root`, nested by package
 * as `grpc.loadPackageDefinition` nests them (`google.pubsub.v1.Subscriber`), with the method
 * paths, stream flags, names and message conversion that google-gax's `GrpcClient.loadProtoJSON`
 * gives them.
 *
 * Why not `loadProtoJSON`: its @grpc/proto-loader step also turns the whole definition into
 * descriptor protos and every message type into a descriptor object, for gRPC server reflection,
 * which a client never reads. For the Pub/Sub Subscriber's 56 types that took 40–60 ms of a
 * fresh process against 8–12 ms for the constructors alone, and the vai provider is not ready
 * before its Subscriber client is built. The definitions leave out those reflection objects
 * (`requestType`, `responseType`, method `options`) and nothing else.
 */
export function grpcServiceClients(gax: GaxParts, root: Gax.protobuf.NamespaceBase): Gax.grpc.GrpcObject {
  const conversion = gaxConversion(gax);
  const definition: Record<string, Gax.grpc.ServiceDefinition> = {};
  for (const service of servicesIn(root, gax.protobuf)) {
    const name = service.fullName.replace(/^\./, '');
    definition[name] = Object.fromEntries(service.methodsArray.map((method) => [method.name, methodDefinition(method, name, conversion)]));
  }
  return gax.grpc.loadPackageDefinition(definition);
}

const fromJson = new WeakMap<object, Gax.grpc.GrpcObject>();

/**
 * {@link grpcServiceClients} of protobufjs JSON definitions, built once per definitions object as
 * `loadProtoJSON` caches them: the bundled Pub/Sub clients call this in its place, with their
 * google-gax module (see `scripts/service-bundle.mjs`).
 */
export function grpcServiceClientsOfJson(gax: GaxParts, json: Gax.protobuf.INamespace): Gax.grpc.GrpcObject {
  let clients = fromJson.get(json);
  if (!clients) {
    clients = grpcServiceClients(gax, gax.protobuf.Root.fromJSON(json).resolveAll());
    fromJson.set(json, clients);
  }
  return clients;
}
