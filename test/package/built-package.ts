import { stat, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The repository root, which is the package root. */
export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

async function newestModification(directory: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? await newestModification(path) : (await stat(path)).mtimeMs);
  }
  return newest;
}

/**
 * Fails unless `dist/` holds a build of the current sources: these tests check what a consumer
 * gets, which is the built output, and a stale build would test yesterday's code.
 */
export async function requireFreshBuild(entries: readonly string[]): Promise<void> {
  const sourcesChanged = await newestModification(join(packageRoot, 'src'));
  for (const entry of entries) {
    const built = await stat(join(packageRoot, entry)).catch(() => undefined);
    if (!built) throw new Error(`${entry} does not exist: run "npm run build" before the package tests`);
    if (built.mtimeMs < sourcesChanged) throw new Error(`${entry} is older than src/: run "npm run build" before the package tests`);
  }
}
