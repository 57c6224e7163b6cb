import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, type GrpcObject } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/**
 * The path of the project's ML Metadata subset `.proto`, next to this module both in `src` (run
 * with tsx) and in `dist` (the build copies `proto/` alongside the compiled file).
 */
export const mlmdProtoPath: string = fileURLToPath(new URL('./proto/ml-metadata.proto', import.meta.url));

/**
 * Loads the `ml_metadata` package: snake_case names as in MLMD's protos, int64 as strings (ids
 * are passed back unchanged), enums as names, unset fields left `undefined`.
 */
export function loadMlmdPackage(): GrpcObject {
  const definition = loadSync(mlmdProtoPath, { keepCase: true, longs: String, enums: String, defaults: false, oneofs: true });
  return loadPackageDefinition(definition)['ml_metadata'] as GrpcObject;
}
