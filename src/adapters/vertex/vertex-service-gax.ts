import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';
import type * as Gax from 'google-gax';
import { aiplatformProtosStandIn } from './aiplatform-protos-stand-in.js';
import { grpcServiceClients } from './grpc-service-clients.js';

/** The google-gax module, as the generated clients take it in their `gaxInstance` argument. */
export type GaxModule = typeof Gax;

type ProtoNamespace = Gax.protobuf.INamespace;
type ProtoRoot = Gax.protobuf.Root;

const require = createRequire(import.meta.url);

/** The services this provider calls; their imports pull in every message they use. */
const serviceProtoFiles = ['google/cloud/aiplatform/v1/pipeline_service.proto', 'google/cloud/aiplatform/v1/schedule_service.proto'];

/**
 * The installed directory of a package, looked for the way Node looks (the node_modules folders
 * from this module upwards) but without the package's exports map, which would hide its .proto
 * files. In the service bundle those files are all that is left installed of the package.
 */
function installedPackage(name: string): string {
  const found = (require.resolve.paths(name) ?? [])
    .map((directory) => join(directory, name))
    .find((directory) => existsSync(join(directory, 'package.json')));
  if (found === undefined) throw new Error(`${name} is not installed: the Vertex AI clients need its .proto files`);
  return found;
}

function protoIncludeDirs(): string[] {
  return [join(installedPackage('@google-cloud/aiplatform'), 'build', 'protos'), join(installedPackage('google-gax'), 'build', 'protos')];
}

function resolvedOrUndefined(specifier: string): string | undefined {
  try {
    return require.resolve(specifier);
  } catch {
    return undefined;
  }
}

// Absent beside a service bundle, which gives the clients its stand-in instead.
const aiplatformBundlePath = resolvedOrUndefined('@google-cloud/aiplatform/build/protos/protos.json');

/**
 * The generated clients' own proto bundle: the service bundle's stand-in for it, or the object
 * they put in the module cache. Only an identical object is swapped: anything else goes to the
 * real google-gax untouched.
 */
function isAiplatformBundle(json: unknown): boolean {
  if (json === aiplatformProtosStandIn) return true;
  const bundle: unknown = aiplatformBundlePath === undefined ? undefined : require.cache[aiplatformBundlePath]?.exports;
  return bundle !== undefined && json === bundle;
}

/** The two services and their dependencies as one resolved root, for the clients, the LRO decoders and error details. */
function loadTrimmedRoot(gax: GaxModule): ProtoRoot {
  const includeDirs = protoIncludeDirs();
  const root = new gax.protobuf.Root();
  root.resolvePath = (_origin, target) =>
    isAbsolute(target) ? target : (includeDirs.map((dir) => join(dir, target)).find((path) => existsSync(path)) ?? target);
  // protobufjs's default camelCases field names, which is how the bundled JSON spells them.
  root.loadSync(serviceProtoFiles);
  root.resolveAll();
  return root;
}

/** A google-gax instance made by {@link vertexServiceGax}. */
export type VertexServiceGax = GaxModule & {
  /** The resolved definitions it gives the clients, loaded once, for calls made beside them. */
  readonly serviceRoot: () => ProtoRoot;
};

/**
 * A google-gax instance for the Vertex AI pipeline and schedule clients that gives them only the
 * definitions of those two services.
 *
 * Why: each generated client builds its gRPC definition and a protobufjs root from the package's
 * whole 4 MB `protos.json` (every Vertex AI service), hashing it on each load. For the two
 * clients that cost about 80 MiB of RSS (service idle 245 → 153 MiB) and most of the start-up
 * (constructing them 2.3 s → 0.4 s on a busy two-core machine), against a 256 Mi pod limit. The
 * clients take the gax module as an argument, so this one hands them a definition built from
 * `pipeline_service.proto` and `schedule_service.proto` instead, turned into gRPC service
 * constructors by {@link grpcServiceClients} (what `GrpcClient.loadProtoJSON` gives, without the
 * reflection descriptors) from the same camelCase definitions, so requests encode exactly as
 * before. Everything else — channel, credentials (so `sslCreds` from `gax.grpc` still
 * match), call settings, LRO polling — is the real module.
 */
export function vertexServiceGax(gax: GaxModule): VertexServiceGax {
  let trimmed: ProtoRoot | undefined;
  const serviceRoot = (): ProtoRoot => (trimmed ??= loadTrimmedRoot(gax));
  let services: Gax.grpc.GrpcObject | undefined;
  const serviceClients = (): Gax.grpc.GrpcObject => (services ??= grpcServiceClients(gax, serviceRoot()));

  class TrimmedGrpcClient extends gax.GrpcClient {
    override loadProtoJSON(json: ProtoNamespace, ignoreCache?: boolean): Gax.grpc.GrpcObject {
      return isAiplatformBundle(json) ? serviceClients() : super.loadProtoJSON(json, ignoreCache);
    }
  }

  // The clients build a root from the bundle again for every failed call with status details.
  class TrimmedRoot extends gax.protobuf.Root {
    static override fromJSON(json: ProtoNamespace, root?: ProtoRoot): ProtoRoot {
      return isAiplatformBundle(json) ? serviceRoot() : gax.protobuf.Root.fromJSON(json, root);
    }
  }

  return {
    ...gax,
    serviceRoot,
    GrpcClient: TrimmedGrpcClient,
    protobufFromJSON: (json: object, ignoreCache?: boolean): ProtoRoot =>
      isAiplatformBundle(json) ? serviceRoot() : gax.protobufFromJSON(json, ignoreCache),
    protobuf: { ...gax.protobuf, Root: TrimmedRoot },
  };
}
