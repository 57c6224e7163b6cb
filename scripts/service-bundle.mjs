// How the service entry point is bundled: one definition for `npm run build` (dist/) and for the
// image payload (scripts/image-payload.mjs), so that the image runs exactly what the tests run.
//
// Why bundle: resolving and compiling the few hundred small files of inversify, koa and
// prom-client is most of the start-up time; one bundle (plus a chunk per provider, loaded only
// when chosen) starts in about half the time and takes less memory, and the image needs no
// node_modules for the code it holds. The Kubernetes client and the Pub/Sub client are bundled
// too (the latter through src/adapters/vertex/pubsub-sdk.ts, since a dynamic import of a
// CommonJS package stays outside), and so is the Storage client, an ES module, in a chunk loaded
// on first use. Not bundled are google-gax and the Vertex AI clients: they read .proto files
// beside their own modules, and our Vertex adapter finds those files (and the clients' proto
// bundle in the module cache) by resolving the packages. So they, and every package they
// depend on, stay in node_modules as the one copy all code shares; the payload keeps only the
// files they load.
//
// Much of what is left of the start-up is compiling the bundle and those packages. Beside the
// bundle goes warm-compile-cache.mjs, which fills a Node compile cache with all of it; the image
// runs it at build time and starts the service with that cache.
import { createRequire, isBuiltin } from 'node:module';
import { copyFile, cp, readFile, realpath, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
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
 * Every generated Pub/Sub client builds an IAM client in its constructor, loading the IAM
 * definitions (the vai provider was ready in 514 instead of 575 ms without it), and on close
 * makes that client open a channel only to close it. The service never calls an IAM method, so the bundle makes the
 * clients build theirs on first use and close it only if built. The replacements are exact: a
 * client version whose text differs fails the build rather than bundling the eager code.
 * @type {import('esbuild').Plugin}
 */
const lazyIamClientPlugin = {
  name: 'lazy-iam-client',
  setup(build) {
    const eager = 'this.iamClient = new this._gaxModule.IamClient(this._gaxGrpc, opts);';
    const lazy =
      "Object.defineProperty(this, 'iamClient', { configurable: true, get: () => (this._builtIamClient ??= new this._gaxModule.IamClient(this._gaxGrpc, opts)) });";
    const eagerClose = 'this.iamClient.close().catch(';
    const lazyClose = '(this._builtIamClient?.close() ?? Promise.resolve()).catch(';
    build.onLoad({ filter: /[\\/]@google-cloud[\\/]pubsub-api[\\/]build[\\/]src[\\/]v1[\\/]\w+_client\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      if (!source.includes('IamClient')) return undefined;
      if (source.split(eager).length !== 2 || source.split(eagerClose).length !== 2) {
        throw new Error(`${path}: the IAM client is no longer built and closed as lazyIamClientPlugin expects; review the plugin`);
      }
      return { contents: source.replace(eager, lazy).replace(eagerClose, lazyClose), loader: 'js' };
    });
  },
};

/**
 * The Pub/Sub clients share one protos.json holding the Publisher, Subscriber and SchemaService
 * definitions (about 200 messages and enums), and every client turns all of it into gRPC
 * definitions when it is built: some 60 ms of the vai provider's start-up, most of it for
 * services it never calls. The service builds only a Subscriber client, so the bundle keeps the
 * Subscriber service and the types its methods reach (about a quarter). A Publisher or
 * SchemaService client built from the bundle would find no service to call; the vai tests
 * through the bundle and the image payload build the one the service uses.
 * @type {import('esbuild').Plugin}
 */
const subscriberOnlyProtosPlugin = {
  name: 'subscriber-only-protos',
  setup(build) {
    build.onLoad({ filter: /[\\/]@google-cloud[\\/]pubsub-api[\\/]build[\\/]protos[\\/]protos\.json$/ }, async ({ path }) => ({
      contents: JSON.stringify(onlyService(JSON.parse(await readFile(path, 'utf8')), '.google.pubsub.v1.Subscriber')),
      loader: 'json',
    }));
  },
};

/**
 * The protobuf.js JSON `definitions` with only the service `serviceName` and every type its
 * methods reach; a type is kept whole, with its nested types, so those nested types' own
 * references are followed too. Throws unless the result resolves on its own with every method.
 */
function onlyService(definitions, serviceName) {
  const { protobuf } = createRequire(import.meta.url)('google-gax');
  const service = protobuf.Root.fromJSON(definitions).resolveAll().lookupService(serviceName);
  const kept = new Set([service.fullName]);
  const keep = (type) => {
    if (!type || kept.has(type.fullName)) return;
    kept.add(type.fullName);
    if (type.parent instanceof protobuf.Type) keep(type.parent);
    for (const field of type.fieldsArray ?? []) keep(field.resolvedType);
    for (const nested of type.nestedArray ?? []) keep(nested);
  };
  for (const method of service.methodsArray) {
    keep(method.resolvedRequestType);
    keep(method.resolvedResponseType);
  }
  const isNamespace = (node) => !['fields', 'values', 'methods', 'id'].some((key) => key in node);
  const filtered = (node, prefix) => {
    const nested = {};
    for (const [name, child] of Object.entries(node.nested ?? {})) {
      const fullName = `${prefix}.${name}`;
      if (kept.has(fullName)) nested[name] = child;
      else if (isNamespace(child)) {
        const inner = filtered(child, fullName);
        if (inner) nested[name] = inner;
      }
    }
    return Object.keys(nested).length > 0 ? { ...node, nested } : undefined;
  };
  const trimmed = filtered(definitions, '');
  const methods = protobuf.Root.fromJSON(trimmed).resolveAll().lookupService(serviceName).methodsArray;
  if (methods.length !== service.methodsArray.length) throw new Error(`${serviceName}: the trimmed definitions lost methods`);
  return trimmed;
}

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
    plugins: [await unbundledPackagesPlugin(), unusedStaticProtosPlugin, lazyIamClientPlugin, subscriberOnlyProtosPlugin],
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

/**
 * The imports of the bundle that Node resolves in node_modules at run time, once each: the
 * bare specifier and whether it is a require() or an import.
 * @param {import('esbuild').Metafile} metafile
 * @returns {Array<{ path: string, kind: string }>}
 */
function externalImports(metafile) {
  const externals = new Map();
  for (const { imports } of Object.values(metafile.outputs)) {
    for (const { path, kind, external } of imports) {
      if (!external || isBuiltin(path)) continue;
      externals.set(`${kind === 'require-call' ? 'require' : 'import'} ${path}`, { path, kind });
    }
  }
  return [...externals.values()];
}

/**
 * Bundles the service into `outdir` (main.js, chunks/, our assets) and puts
 * warm-compile-cache.mjs beside it with compile-cache-modules.json, the external packages it
 * compiles; answers those external imports.
 * @param {{ outdir: string, sourcemap: boolean, besideSources?: boolean }} options `besideSources`
 *   as for {@link copyServiceAssets}
 */
export async function writeServiceBundle({ outdir, sourcemap, besideSources = false }) {
  const result = await build({ ...(await serviceBundleOptions({ outdir, sourcemap })), metafile: true });
  await copyServiceAssets(outdir, { besideSources });
  const externals = externalImports(result.metafile);
  const specifiers = (required) =>
    externals
      .filter(({ kind }) => (kind === 'require-call') === required)
      .map(({ path }) => path)
      .sort();
  const modules = { require: specifiers(true), import: specifiers(false) };
  await writeFile(join(outdir, 'compile-cache-modules.json'), `${JSON.stringify(modules, null, 2)}\n`);
  await copyFile(new URL('./warm-compile-cache.mjs', import.meta.url), join(outdir, 'warm-compile-cache.mjs'));
  return externals;
}
