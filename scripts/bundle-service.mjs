// Bundles the service entry point (dist/main.js) after tsc has emitted the library; the
// library entry (dist/index.js) stays unbundled so that consumers resolve shared dependencies
// once. What is bundled, and why, is in service-bundle.mjs.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { repositoryRoot, writeServiceBundle } from './service-bundle.mjs';

const dist = join(repositoryRoot, 'dist');

await rm(join(dist, 'chunks'), { recursive: true, force: true });
await writeServiceBundle({ outdir: dist, sourcemap: true, besideSources: true });
