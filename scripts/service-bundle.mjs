// How the service entry point is bundled: one definition for `npm run build` (dist/) and for the
// image payload (scripts/image-payload.mjs), so that the image runs exactly what the tests run.
//
// Why bundle: resolving and compiling the few hundred small files of inversify, koa and
// prom-client is most of the start-up time; one bundle (plus a chunk per provider, loaded only
// when chosen) starts in about half the time and takes less memory, and the image needs no
// node_modules for the code it holds. The Kubernetes client, the Pub/Sub client and the two
// Vertex AI clients with google-gax and grpc-js are bundled too (the CommonJS ones through
// src/adapters/vertex/pubsub-sdk.ts and vertex-sdk.ts, since a dynamic import of a CommonJS
// package stays outside), and so is the Storage client, an ES module, in a chunk loaded on first
// use. google-gax and grpc-js were left in node_modules before, as files the Vertex adapter
// finds by resolving their packages; bundled, the vai provider was ready about 90 ms of CPU
// sooner. What is still read by path at run time is only .proto files (see image-payload.mjs).
//
// Much of what is left of the start-up is compiling the bundle and those packages. Beside the
// bundle goes warm-compile-cache.mjs, which fills a Node compile cache with all of it; the image
// runs it at build time and starts the service with that cache.
import { createRequire, isBuiltin } from 'node:module';
import { copyFile, cp, readFile, realpath, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The repository root. */
export const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

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
 * Leaves a dynamic import() of CommonJS to node_modules when it resolves into the top-level copy
 * of a package (the one a chunk finds at run time): with code splitting, esbuild gives such an
 * import only a `default` export, so `const { PubSub } = await import('@google-cloud/pubsub')`
 * would find nothing (evanw/esbuild#3245); Node's own loader gives it the named exports. An
 * import that resolves to a nested copy (a bundled package's own node-fetch, say) cannot be
 * found from the chunks, so it is bundled.
 * @returns {Promise<import('esbuild').Plugin>}
 */
async function dynamicCommonJsImportsPlugin() {
  // esbuild resolves to real paths, so the comparison is between real paths too: node_modules
  // may be a symbolic link to a shared install.
  const topLevel = await realpath(join(repositoryRoot, 'node_modules'));
  const isTopLevel = (path) => {
    const parts = relative(topLevel, path).split(sep);
    return parts[0] !== '..' && !parts.includes('node_modules');
  };
  return {
    name: 'dynamic-commonjs-imports',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async ({ path, kind, importer, resolveDir, pluginData }) => {
        if (kind !== 'dynamic-import' || pluginData === dynamicCommonJsImportsPlugin || path.startsWith('node:')) return undefined;
        const resolved = await build.resolve(path, { kind, importer, resolveDir, pluginData: dynamicCommonJsImportsPlugin });
        if (resolved.errors.length > 0) return undefined;
        if (resolved.external || !isTopLevel(resolved.path)) return resolved;
        return (await isCommonJs(resolved.path)) ? { path, external: true } : resolved;
      });
    },
  };
}

/**
 * Node gives an ES module import of `node:http` every export of the module, and reading its
 * `WebSocket`, `CloseEvent` and `MessageEvent` exports loads the whole undici library Node ships:
 * `import('node:http')` took 35–55 ms in a fresh Node 24, `require('node:http')` 7 ms. So the
 * bundle's imports of it go through `require`, whose exports are read only when used. Only of
 * it: every built-in through `require` made the local provider's start-up 20–30 ms of CPU
 * slower in interleaved start-ups (the namespace copies of the large modules' exports).
 * @type {import('esbuild').Plugin}
 */
const httpThroughRequirePlugin = {
  name: 'http-through-require',
  setup(build) {
    build.onResolve({ filter: /^(node:)?http$/ }, ({ kind }) =>
      kind === 'import-statement' || kind === 'dynamic-import' ? { path: 'node:http', namespace: 'required-builtin' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'required-builtin' }, ({ path }) => ({
      contents: `module.exports = require(${JSON.stringify(path)});`,
      loader: 'js',
    }));
  },
};

/**
 * google-gax loads @grpc/proto-loader when it is loaded, and with it protobufjs's descriptor
 * extension, about 12 ms of building definitions at start-up. Its gRPC clients now get their
 * service constructors without it (see generatedClientRewritesPlugin), so it is left to the
 * calls that need it (the long-running operations client's definitions, on first use), loaded
 * on the first one.
 * @type {import('esbuild').Plugin}
 */
const lazyProtoLoaderPlugin = {
  name: 'lazy-proto-loader',
  setup(build) {
    build.onLoad({ filter: /[\\/]google-gax[\\/]build[\\/]src[\\/]grpc\.js$/ }, async ({ path }) => {
      const contents = rewriteEach(await readFile(path, 'utf8'), path, 'lazyProtoLoaderPlugin', [
        [
          'const grpcProtoLoader = __importStar(require("@grpc/proto-loader"));',
          'let __grpcProtoLoader;\nconst grpcProtoLoader = () => (__grpcProtoLoader ??= __importStar(require("@grpc/proto-loader")));',
        ],
        ['grpcProtoLoader.loadSync(filename, options)', 'grpcProtoLoader().loadSync(filename, options)'],
        ['grpcProtoLoader.fromJSON(json, options)', 'grpcProtoLoader().fromJSON(json, options)'],
      ]);
      if (/grpcProtoLoader\./.test(contents)) throw new Error(`${path}: another use of @grpc/proto-loader; review lazyProtoLoaderPlugin`);
      return { contents, loader: 'js' };
    });
  },
};

/**
 * Koa loads accepts, type-is and mime-types when it is loaded, and with them two copies of
 * mime-db, whose types mime-types scores against each other as it loads: the local provider was
 * ready in 192 instead of 232 ms without them, in interleaved start-ups with the compile cache.
 * The service asks Koa for a media type only when it serves the OpenAPI document, and never
 * negotiates, so Koa's request and response load them on first use.
 * @type {import('esbuild').Plugin}
 */
const lazyKoaMediaTypesPlugin = {
  name: 'lazy-koa-media-types',
  setup(build) {
    const replacements = {
      request: [
        ["const accepts = require('accepts')", "const accepts = (...args) => require('accepts')(...args)"],
        ["const typeis = require('type-is')", "const typeis = (...args) => require('type-is')(...args)"],
      ],
      response: [
        ["const typeis = require('type-is').is", "const typeis = (...args) => require('type-is').is(...args)"],
        ["const getType = require('mime-types').contentType", "const getType = (type) => require('mime-types').contentType(type)"],
      ],
    };
    build.onLoad({ filter: /[\\/]koa[\\/]lib[\\/](request|response)\.js$/ }, async ({ path }) => {
      const module = path.endsWith('request.js') ? 'request' : 'response';
      const contents = rewriteEach(await readFile(path, 'utf8'), path, 'lazyKoaMediaTypesPlugin', replacements[module]);
      return { contents, loader: 'js' };
    });
  },
};

/** What the bundled Vertex AI clients get in place of their 4 MB protos.json (see below). */
const aiplatformProtosStandInModule = fileURLToPath(new URL('../src/adapters/vertex/aiplatform-protos-stand-in.ts', import.meta.url));

/**
 * The Vertex AI clients load the package's protos.json (4 MB, every Vertex AI service) and hand
 * it to google-gax, whose instance from `vertexServiceGax` gives them the definitions of their
 * two services instead. Bundled, the JSON would be 4 MB of source compiled and kept for nothing,
 * so the bundle gives them a stand-in object that `vertexServiceGax` knows for the bundle.
 * @type {import('esbuild').Plugin}
 */
const aiplatformProtosStandInPlugin = {
  name: 'aiplatform-protos-stand-in',
  setup(build) {
    build.onLoad({ filter: /[\\/]@google-cloud[\\/]aiplatform[\\/]build[\\/]protos[\\/]protos\.json$/ }, () => ({
      contents: `module.exports = require(${JSON.stringify(aiplatformProtosStandInModule)}).aiplatformProtosStandIn;`,
      loader: 'js',
    }));
  },
};

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
 * An exact rewrite of a bundled client's source: `from` must occur exactly once, so a client
 * version whose text differs fails the build rather than bundling the code the rewrite replaces.
 */
function rewriteOnce(source, path, from, to, plugin) {
  if (source.split(from).length !== 2) {
    throw new Error(`${path}: expected ${JSON.stringify(from)} exactly once; review ${plugin}`);
  }
  return source.replace(from, () => to);
}

/** {@link rewriteOnce} of each `[from, to]` of `replacements`, in turn. */
function rewriteEach(source, path, plugin, replacements) {
  return replacements.reduce((text, [from, to]) => rewriteOnce(text, path, from, to, plugin), source);
}

/** Where the bundled Pub/Sub clients take their gRPC service constructors from (see below). */
const grpcServiceClientsModule = fileURLToPath(new URL('../src/adapters/vertex/grpc-service-clients.ts', import.meta.url));

/**
 * Makes a generated client build its mixin client `member` (the IAM or Locations client) on first
 * use rather than in its constructor, and close it only if built.
 */
function lazyMixinClient(source, path, member, className) {
  return rewriteEach(source, path, 'generatedClientRewritesPlugin', [
    [
      `this.${member} = new this._gaxModule.${className}(this._gaxGrpc, opts);`,
      `Object.defineProperty(this, '${member}', { configurable: true, get: () => (this._built_${member} ??= new this._gaxModule.${className}(this._gaxGrpc, opts)) });`,
    ],
    [`this.${member}.close().catch(`, `(this._built_${member}?.close() ?? Promise.resolve()).catch(`],
  ]);
}

/**
 * Rewrites of the generated clients the service builds (the Pub/Sub ones and the Vertex AI
 * pipeline and schedule clients):
 * - Each builds an IAM client in its constructor (the Vertex AI ones a Locations client too),
 *   loading those services' definitions: the vai provider was ready in 514 instead of 575 ms
 *   without the Pub/Sub one. On close it makes them open a channel only to close it. The service
 *   calls no IAM or Locations method, so the clients build theirs on first use and close them
 *   only if built.
 * - The Pub/Sub clients turn their definitions into gRPC service constructors with google-gax's
 *   `loadProtoJSON`, whose @grpc/proto-loader step also builds descriptor protos for gRPC server
 *   reflection; the gRPC (not REST) clients take theirs from `grpcServiceClientsOfJson` instead,
 *   the same constructors without those descriptors (src/adapters/vertex/grpc-service-clients.ts;
 *   the Vertex AI clients get theirs from `vertexServiceGax`).
 * @type {import('esbuild').Plugin}
 */
const generatedClientRewritesPlugin = {
  name: 'generated-client-rewrites',
  setup(build) {
    build.onLoad({ filter: /[\\/]@google-cloud[\\/]pubsub-api[\\/]build[\\/]src[\\/]v1[\\/]\w+_client\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      if (!source.includes('IamClient')) return undefined;
      const contents = rewriteOnce(
        lazyMixinClient(source, path, 'iamClient', 'IamClient'),
        path,
        'this._protos = this._gaxGrpc.loadProtoJSON(jsonProtos);',
        'this._protos = opts.fallback ? this._gaxGrpc.loadProtoJSON(jsonProtos) : __grpcServiceClientsOfJson(this._gaxModule, jsonProtos);',
        'generatedClientRewritesPlugin',
      );
      const imported = `const { grpcServiceClientsOfJson: __grpcServiceClientsOfJson } = require(${JSON.stringify(grpcServiceClientsModule)});\n`;
      return { contents: imported + contents, loader: 'js' };
    });
    build.onLoad(
      { filter: /[\\/]@google-cloud[\\/]aiplatform[\\/]build[\\/]src[\\/]v1[\\/](pipeline|schedule)_service_client\.js$/ },
      async ({ path }) => {
        const source = await readFile(path, 'utf8');
        const contents = lazyMixinClient(
          lazyMixinClient(source, path, 'iamClient', 'IamClient'),
          path,
          'locationsClient',
          'LocationsClient',
        );
        return { contents, loader: 'js' };
      },
    );
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
    plugins: [
      await dynamicCommonJsImportsPlugin(),
      httpThroughRequirePlugin,
      lazyProtoLoaderPlugin,
      lazyKoaMediaTypesPlugin,
      unusedStaticProtosPlugin,
      generatedClientRewritesPlugin,
      subscriberOnlyProtosPlugin,
      aiplatformProtosStandInPlugin,
    ],
    // Bundled CommonJS packages call require() for Node built-ins and the external packages, and
    // some name paths beside their module at load (google-gax its proto include directory, which
    // only its .proto loading, unused here, reads): they get the chunk's own.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; import { dirname as __pathDirname } from 'node:path'; import { fileURLToPath as __fileURLToPath } from 'node:url'; const require = __createRequire(import.meta.url); const __filename = __fileURLToPath(import.meta.url); const __dirname = __pathDirname(__filename);",
    },
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
