// Writes exactly what the image's final stage copies into a directory, and prints its size.
// Usage: node scripts/image-payload.mjs [directory]   (the Dockerfile runs the same command;
// without a directory it writes into the system's temp directory and says where)
//
// The payload is the service bundle (see service-bundle.mjs) without source maps, the OpenAPI
// document it serves, a package.json that makes the bundle ESM, and a node_modules holding only
// what the bundle loads from outside itself: every file its external imports and requires reach
// (the few packages it imports dynamically), found by letting esbuild resolve them the way Node
// does, plus the .proto files read from disk. Everything else of the full install (types,
// sources, maps, the Vertex AI services we never call) stays out: the full production install
// is about 235 MiB.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { repositoryRoot, writeServiceBundle } from './service-bundle.mjs';

/** The budget for the whole payload, in MiB. */
const budgetMiB = 100;

/**
 * Files read from disk by path rather than imported, so no import graph reaches them: our Vertex
 * adapter loads the two services' .proto files (and what they import) from the client package's
 * build/protos and google-gax's, finding each package as Node would from the chunks (the
 * top-level copy, by its package.json), though the packages' modules themselves are bundled.
 */
const readByPath = [
  { packageName: 'google-gax', directory: 'build/protos', extension: '.proto' },
  { packageName: '@google-cloud/aiplatform', directory: 'build/protos', extension: '.proto' },
];

/**
 * Every node_modules file the external imports reach, found by esbuild's resolver with Node's
 * rules (`main` only; the `node`, `import`/`require` and `default` conditions, not esbuild's
 * extra `module`) without writing a bundle;
 * and the imports that resolve nowhere (optional packages that bundled code guards with
 * try/catch, such as ws's bufferutil), which the service does without at run time too.
 */
async function reachableFiles(externals) {
  // Guarded like the code that makes them, so that an optional package that is absent does
  // not fail the trace.
  const importer = externals
    .map(({ path, kind }) =>
      kind === 'require-call' ? `try { require(${JSON.stringify(path)}); } catch {}` : `import(${JSON.stringify(path)}).catch(() => {});`,
    )
    .join('\n');
  const result = await build({
    absWorkingDir: repositoryRoot,
    // The chunks find node_modules where the repository root does: neither dist/ nor
    // dist/chunks/ has one of its own (and neither need exist yet).
    stdin: { contents: importer, resolveDir: repositoryRoot, sourcefile: 'payload-importer.js' },
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'cjs',
    mainFields: ['main'],
    conditions: [],
    logLevel: 'error',
    outfile: 'payload-importer.out.js',
  });
  const unresolved = Object.values(result.metafile.outputs)
    .flatMap(({ imports }) => imports)
    .filter(({ external, path }) => external && !isBuiltin(path))
    .map(({ path }) => path);
  const files = Object.keys(result.metafile.inputs)
    .filter((input) => input.startsWith('node_modules/'))
    .map((input) => join(repositoryRoot, input));
  const installed = unresolved.filter((path) => existsSync(join(repositoryRoot, 'node_modules', packageName(path), 'package.json')));
  if (installed.length > 0) throw new Error(`the payload trace could not resolve installed packages: ${installed.join(', ')}`);
  return { files, unresolved: [...new Set(unresolved)].sort() };
}

/** The package a bare specifier names: `@scope/name` or `name`, without a subpath. */
function packageName(specifier) {
  const parts = specifier.split('/');
  return parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

/** The directory of the package a node_modules file belongs to. */
function packageDirectory(file) {
  const parts = relative(repositoryRoot, file).split(sep);
  const last = parts.lastIndexOf('node_modules');
  const length = parts[last + 1]?.startsWith('@') ? last + 3 : last + 2;
  return join(repositoryRoot, ...parts.slice(0, length));
}

/** The package.json files Node reads for a file: its package's and any between them (`type`). */
async function manifestsOf(file) {
  const top = packageDirectory(file);
  const manifests = [];
  for (let directory = dirname(file); directory.startsWith(top); directory = dirname(directory)) {
    const manifest = join(directory, 'package.json');
    if (await stat(manifest).catch(() => undefined)) manifests.push(manifest);
    if (directory === top) break;
  }
  return manifests;
}

async function filesWithExtension(directory, extension) {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith(extension)).map((entry) => join(entry.parentPath, entry.name));
}

/** The read-by-path files of the top-level copies of the packages named in {@link readByPath}. */
async function filesReadByPath() {
  const files = [];
  for (const { packageName, directory, extension } of readByPath) {
    const installed = join(repositoryRoot, 'node_modules', ...packageName.split('/'));
    const found = await filesWithExtension(join(installed, directory), extension);
    if (found.length === 0) throw new Error(`no ${extension} files in ${packageName}/${directory}: is ${packageName} installed?`);
    files.push(...found);
  }
  return files;
}

async function directorySize(directory) {
  let bytes = 0;
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return bytes;
}

/**
 * Writes the payload into `payload` (emptied first) and answers its size in bytes and the
 * largest packages of its node_modules, and the imports it left unresolved.
 * @param {string} payload
 * @returns {Promise<{ bytes: number, packages: Array<{ name: string, bytes: number }>, unresolved: string[] }>}
 */
export async function writeImagePayload(payload) {
  await rm(payload, { recursive: true, force: true });
  await mkdir(payload, { recursive: true });
  const externals = await writeServiceBundle({ outdir: join(payload, 'dist'), sourcemap: false });
  const { files: reachable, unresolved } = await reachableFiles(externals);
  const files = new Set([...reachable, ...(await filesReadByPath())]);
  for (const file of [...files]) for (const manifest of await manifestsOf(file)) files.add(manifest);
  const sizes = new Map();
  for (const file of files) {
    const target = join(payload, relative(repositoryRoot, file));
    await mkdir(dirname(target), { recursive: true });
    await copyFile(file, target);
    const name = relative(join(repositoryRoot, 'node_modules'), packageDirectory(file)).split(sep).join('/');
    sizes.set(name, (sizes.get(name) ?? 0) + (await stat(file)).size);
  }
  await mkdir(join(payload, 'docs'));
  await copyFile(join(repositoryRoot, 'docs', 'openapi.yaml'), join(payload, 'docs', 'openapi.yaml'));
  const { name, version } = JSON.parse(await readFile(join(repositoryRoot, 'package.json'), 'utf8'));
  await writeFile(join(payload, 'package.json'), `${JSON.stringify({ name, version, private: true, type: 'module' }, null, 2)}\n`);
  const packages = [...sizes].map(([packageName, bytes]) => ({ name: packageName, bytes })).sort((a, b) => b.bytes - a.bytes);
  return { bytes: await directorySize(payload), packages, unresolved };
}

const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const payload = resolve(process.argv[2] ?? join(tmpdir(), 'kfp-provider-service-image-payload'));
  const { bytes, packages, unresolved } = await writeImagePayload(payload);
  const largest = packages
    .slice(0, 8)
    .map((entry) => `${entry.name} ${mib(entry.bytes)}`)
    .join(', ');
  console.log(`image payload: ${mib(bytes)} MiB in ${payload} (budget ${budgetMiB} MiB); largest in node_modules (MiB): ${largest}`);
  if (unresolved.length > 0)
    console.log(`image payload: optional imports absent from the install, as in the image: ${unresolved.join(', ')}`);
  if (bytes > budgetMiB * 1024 * 1024) {
    console.error(`image payload: ${mib(bytes)} MiB is over the ${budgetMiB} MiB budget`);
    process.exit(1);
  }
}
