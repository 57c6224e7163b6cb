import type * as grpc from '@grpc/grpc-js';

/**
 * The client constructor `grpc.loadPackageDefinition` nests at a dotted service name
 * (`google.pubsub.v1.Subscriber`); throws, naming it, when the definitions have no such service.
 */
export function serviceClientAt(loaded: grpc.GrpcObject, name: string): grpc.ServiceClientConstructor {
  let node: unknown = loaded;
  for (const part of name.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  if (typeof node !== 'function') throw new Error(`no service ${name} in the loaded definitions`);
  return node as grpc.ServiceClientConstructor;
}
