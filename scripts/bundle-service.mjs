// Bundles the service entry point (dist/main.js) after tsc has emitted the library.
//
// Why: resolving and compiling the few hundred small files of inversify, koa and prom-client is
// most of the start-up time; one bundle (plus a chunk per provider, loaded only when chosen)
// starts in about half the time and takes less memory. The cloud SDKs stay external: they load
// their own .proto files from node_modules at run time. The library entry (dist/index.js) stays
// unbundled so that consumers resolve shared dependencies once.
import { cp, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url);
const dist = new URL('dist/', root);

await rm(new URL('chunks/', dist), { recursive: true, force: true });
await build({
  absWorkingDir: new URL('.', root).pathname,
  entryPoints: { main: 'src/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  external: ['@google-cloud/*', '@grpc/*', 'google-gax', '@kubernetes/client-node'],
  // Bundled CommonJS packages call require() for Node built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});

// Assets our adapters load relative to their own module: copy them next to the chunks too.
for (const asset of ['adapters/kfp/proto']) {
  const source = new URL(`src/${asset}/`, root);
  await cp(source, new URL(`chunks/${asset.split('/').pop()}/`, dist), { recursive: true }).catch((error) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await cp(source, new URL(`${asset}/`, dist), { recursive: true }).catch((error) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
