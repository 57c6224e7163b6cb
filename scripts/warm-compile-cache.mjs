// Fills Node's compile cache (the directory NODE_COMPILE_CACHE names) with the V8 code of every
// module the service can load, so that a later start-up with the same cache directory reads the
// compiled code instead of compiling it again: the image runs this once at build time.
// Usage: NODE_COMPILE_CACHE=DIR node dist/warm-compile-cache.mjs
//
// The bundle step copies this file next to dist/main.js with compile-cache-modules.json, the
// packages the bundle loads from node_modules. It compiles main.js and its static chunks by
// running `main.js --version` (which starts nothing), then imports every chunk and every one of
// those packages. Importing them runs only their module-level code: the chunks define, the
// provider modules are chosen and started by main.js alone.
//
// Node keys a cache by its own version and the user id, so the image runs this as the user the
// service runs as; a process of another user, or of another Node, misses the cache and compiles
// as it would without one.
import { execFileSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { createRequire, flushCompileCache, getCompileCacheDir } from 'node:module';
import { fileURLToPath } from 'node:url';

if (!process.env['NODE_COMPILE_CACHE'] || getCompileCacheDir() === undefined) {
  console.error(
    'warm-compile-cache: set NODE_COMPILE_CACHE to a writable directory: it names the cache to fill' +
      (process.env['NODE_COMPILE_CACHE'] ? ` (Node could not use ${process.env['NODE_COMPILE_CACHE']})` : ''),
  );
  process.exit(2);
}

const here = new URL('./', import.meta.url);
execFileSync(process.execPath, [fileURLToPath(new URL('main.js', here)), '--version'], { stdio: ['ignore', 'ignore', 'inherit'] });

const chunks = (await readdir(new URL('chunks/', here))).filter((name) => name.endsWith('.js')).sort();
for (const chunk of chunks) await import(new URL(`chunks/${chunk}`, here).href);

/** @type {{ require: string[], import: string[] }} */
const modules = JSON.parse(await readFile(new URL('compile-cache-modules.json', here), 'utf8'));
const require = createRequire(import.meta.url);
const absent = [];
// A package the service loads only when present (an optional peer of the library) may be
// missing from an install; the service does without it, and so does its cache.
const unlessAbsent = (error, specifier) => {
  const notFound = error?.code === 'MODULE_NOT_FOUND' || error?.code === 'ERR_MODULE_NOT_FOUND';
  // Only the package itself: a present package that fails to find its own file is a broken install.
  const packageName = specifier.split('/', specifier.startsWith('@') ? 2 : 1).join('/');
  if (!notFound || !String(error.message).includes(`'${packageName}`)) throw error;
  absent.push(specifier);
};
for (const specifier of modules.require) {
  try {
    require(specifier);
  } catch (error) {
    unlessAbsent(error, specifier);
  }
}
for (const specifier of modules.import) await import(specifier).catch((error) => unlessAbsent(error, specifier));

flushCompileCache();
const absentNote = absent.length > 0 ? `; absent from this install: ${absent.join(', ')}` : '';
console.log(
  `warm-compile-cache: compiled main.js, ${chunks.length} chunks and ${modules.require.length + modules.import.length} packages into ${getCompileCacheDir()}${absentNote}`,
);
// Module-level code of the packages may have left handles open (an agent's socket pool, say).
process.exit(0);
