// How the service entry point is bundled: one definition for `npm run build` (dist/) and for the
// image payload (scripts/image-payload.mjs), so that the image runs exactly what the tests run.
//
// Why bundle: resolving and compiling the few hundred small files of inversify, koa and
// prom-client is most of the start-up time; one bundle (plus a chunk per provider, loaded only
// when chosen) starts in about half the time and takes less memory, and the image needs no
// node_modules for the code it holds. The Kubernetes client and the Pub/Sub client are bundled
// too (the latter through src/adapters/vertex/pubsub-sdk.ts, since a dynamic import of a
// CommonJS package stays outside); the Storage client, loaded on first use, is not. Nor are
// google-gax and the Vertex AI clients: they read .proto files beside their own modules, and our
// Vertex adapter finds those files (and the clients' proto bundle in the module cache) by
// resolving the packages. So they, and every package they depend on, stay in node_modules as the
// one copy all code shares; the payload keeps only the files they load.
import { cp, readFile, realpath } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dependencyClosure } from './dependency-closure.mjs';

/** The repository root. */
export const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

/** The packages loaded by file path at run time; they and their dependencies stay external. */
const unbundledPackages = ['google-gax', '@google-cloud/aiplatform'];

/** Directories of ours that adapters read relative to their module (`src/` → next to the chunks). */
const serviceAssets = ['adapters/kfp/proto'];

/** Whether Node loads `file` as CommonJS: a .cjs file, or a .js file whose package.json has no `"type": "module"`. */
async function isCommonJs(file) {
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let directory = dirname(file); directory !== dirname(directory); directory = dirname(directory)) {
    const manifest = await readFile(join(directory, 'package.json'), 'utf8').catch(() => undefined);
    if (manifest !== undefined) return JSON.parse(manifest).type !== 'module';
  }
  return true;
}

/**
 * Leaves an import to node_modules when it resolves into the top-level copy of a package (the
 * one a chunk finds at run time) and either that package is unbundled, or the import is a
 * dynamic import() of CommonJS: with code splitting, esbuild gives such an import only a
 * `default` export, so `const { PubSub } = await import('@google-cloud/pubsub')` would find
 * nothing (evanw/esbuild#3245); Node's own loader gives it the named exports. An import that
 * resolves to a nested copy (a bundled package's own node-fetch, say) cannot be found from the
 * chunks, so it is bundled.
 * @returns {Promise<import('esbuild').Plugin>}
 */
async function unbundledPackagesPlugin() {
  // esbuild resolves to real paths, so the comparison is between real paths too: node_modules
  // may be a symbolic link to a shared install.
  const topLevel = await realpath(join(repositoryRoot, 'node_modules'));
  const isTopLevel = (path) => {
    const parts = relative(topLevel, path).split(sep);
    return parts[0] !== '..' && !parts.includes('node_modules');
  };
  const closure = await dependencyClosure(repositoryRoot, unbundledPackages);
  const unbundled = (await Promise.all([...closure].map((directory) => realpath(directory)))).filter(isTopLevel);
  return {
    name: 'unbundled-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async ({ path, kind, importer, resolveDir, pluginData }) => {
        if (pluginData === unbundledPackagesPlugin || path.startsWith('node:')) return undefined;
        const resolved = await build.resolve(path, { kind, importer, resolveDir, pluginData: unbundledPackagesPlugin });
        if (resolved.errors.length > 0) return undefined;
        if (resolved.external || !isTopLevel(resolved.path)) return resolved;
        const external =
          unbundled.some((directory) => resolved.path.startsWith(directory + sep)) ||
          (kind === 'dynamic-import' && (await isCommonJs(resolved.path)));
        return external ? { path, external: true } : resolved;
      });
    },
  };
}

/**
 * The Pub/Sub client's packages each load a generated module of static protobuf classes
 * (`build/protos/protos.js`, 3 MB and 0.7 MB of source) only to export it as `protos`; the clients
 * themselves encode with the definitions of `protos.json`. Nothing in the service reads that
 * export, so the bundle gives both an empty one: loading them took about 90 ms of the vai
 * provider's start-up and their source and classes 5 MiB of heap for the life of the process.
 * Should a later client read `protos` itself, the vai tests through the bundle and the image
 * payload fail.
 * @type {import('esbuild').Plugin}
 */
const unusedStaticProtosPlugin = {
  name: 'unused-static-protos',
  setup(build) {
    build.onLoad({ filter: /[\\/]@google-cloud[\\/]pubsub(-api)?[\\/]build[\\/]protos[\\/]protos\.js$/ }, () => ({
      contents: 'module.exports = {};',
      loader: 'js',
    }));
  },
};

/**
 * The esbuild options that bundle `src/main.ts` into `{outdir}/main.js` and `{outdir}/chunks/`.
 * @param {{ outdir: string, sourcemap: boolean }} options
 * @returns {Promise<import('esbuild').BuildOptions>}
 */
export async function serviceBundleOptions({ outdir, sourcemap }) {
  return {
    absWorkingDir: repositoryRoot,
    entryPoints: { main: 'src/main.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    sourcemap,
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [await unbundledPackagesPlugin(), unusedStaticProtosPlugin],
    // Bundled CommonJS packages call require() for Node built-ins and the external packages.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'warning',
  };
}

/**
 * Copies our own run-time assets next to the chunks that read them.
 * @param {string} outdir the bundle's output directory (absolute)
 * @param {{ besideSources?: boolean }} [options] also copy them where the unbundled dist/ modules look
 */
export async function copyServiceAssets(outdir, { besideSources = false } = {}) {
  for (const asset of serviceAssets) {
    const source = new URL(`../src/${asset}/`, import.meta.url);
    const targets = [`${outdir}/chunks/${asset.split('/').pop()}/`, ...(besideSources ? [`${outdir}/${asset}/`] : [])];
    for (const target of targets) await cp(source, target, { recursive: true });
  }
}
