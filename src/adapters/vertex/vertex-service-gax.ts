import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import type * as Gax from 'google-gax';

/** The google-gax module, as the generated clients take it in their `gaxInstance` argument. */
export type GaxModule = typeof Gax;

type ProtoNamespace = Gax.protobuf.INamespace;
type ProtoRoot = Gax.protobuf.Root;

const require = createRequire(import.meta.url);

/** The services this provider calls; their imports pull in every message they use. */
const serviceProtoFiles = ['google/cloud/aiplatform/v1/pipeline_service.proto', 'google/cloud/aiplatform/v1/schedule_service.proto'];

/** What the trimmed definitions are built from, and the bundle they stand in for. */
interface TrimmedProtos {
  /** camelCase JSON of the two services and their dependencies, as the bundle would give it. */
  readonly json: ProtoNamespace;
  /** The same definitions as one resolved root, for the LRO decoders and error details. */
  readonly root: ProtoRoot;
}

function protoIncludeDirs(): string[] {
  const aiplatformClient = require.resolve('@google-cloud/aiplatform/build/src/v1/pipeline_service_client.js');
  const aiplatformProtos = join(dirname(aiplatformClient), '..', '..', 'protos');
  // google-gax has an exports map, so only its entry point resolves; its protos sit beside build/src.
  const gaxProtos = join(dirname(require.resolve('google-gax')), '..', 'protos');
  return [aiplatformProtos, gaxProtos];
}

/**
 * The generated clients' own proto bundle, found in the module cache where they put it. Only an
 * identical object is swapped: anything else goes to the real google-gax untouched.
 */
function isAiplatformBundle(json: unknown): boolean {
  const bundle: unknown = require.cache[require.resolve('@google-cloud/aiplatform/build/protos/protos.json')]?.exports;
  return bundle !== undefined && json === bundle;
}

function loadTrimmedProtos(gax: GaxModule): TrimmedProtos {
  const includeDirs = protoIncludeDirs();
  const root = new gax.protobuf.Root();
  root.resolvePath = (_origin, target) =>
    isAbsolute(target) ? target : (includeDirs.map((dir) => join(dir, target)).find((path) => existsSync(path)) ?? target);
  // protobufjs's default camelCases field names, which is how the bundled JSON spells them.
  root.loadSync(serviceProtoFiles);
  root.resolveAll();
  return { json: root.toJSON(), root };
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
 * `pipeline_service.proto` and `schedule_service.proto` instead, through the real
 * `GrpcClient.loadProtoJSON` and protobufjs: the same camelCase JSON shape, so requests encode
 * exactly as before. Everything else — channel, credentials (so `sslCreds` from `gax.grpc` still
 * match), call settings, LRO polling — is the real module.
 */
export function vertexServiceGax(gax: GaxModule): VertexServiceGax {
  let trimmed: TrimmedProtos | undefined;
  const protos = (): TrimmedProtos => (trimmed ??= loadTrimmedProtos(gax));

  class TrimmedGrpcClient extends gax.GrpcClient {
    override loadProtoJSON(json: ProtoNamespace, ignoreCache?: boolean): Gax.grpc.GrpcObject {
      return super.loadProtoJSON(isAiplatformBundle(json) ? protos().json : json, ignoreCache);
    }
  }

  // The clients build a root from the bundle again for every failed call with status details.
  class TrimmedRoot extends gax.protobuf.Root {
    static override fromJSON(json: ProtoNamespace, root?: ProtoRoot): ProtoRoot {
      return isAiplatformBundle(json) ? protos().root : gax.protobuf.Root.fromJSON(json, root);
    }
  }

  return {
    ...gax,
    serviceRoot: () => protos().root,
    GrpcClient: TrimmedGrpcClient,
    protobufFromJSON: (json: object, ignoreCache?: boolean): ProtoRoot =>
      isAiplatformBundle(json) ? protos().root : gax.protobufFromJSON(json, ignoreCache),
    protobuf: { ...gax.protobuf, Root: TrimmedRoot },
  };
}
