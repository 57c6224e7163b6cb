import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from './built-package.js';

const run = promisify(execFile);

/** A consumer project with the packed package installed from its tarball, as a user installs it. */
export interface InstalledPackage {
  /** The consumer project's directory. */
  readonly directory: string;
  /** The size of the consumer's node_modules in MiB (sum of file sizes). */
  readonly installedMiB: number;
  /** The packages installed, by name. */
  readonly packages: readonly string[];
  /** Removes the consumer project. */
  remove(): Promise<void>;
}

async function sizeOf(directory: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(directory, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return bytes;
}

async function installedNames(nodeModules: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(nodeModules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) names.push(...(await readdir(join(nodeModules, entry))).map((name) => `${entry}/${name}`));
    else names.push(entry);
  }
  return names;
}

/**
 * Packs the built package (`npm pack`, without its prepack build: the caller checks that dist/
 * is fresh) and installs the tarball into a fresh consumer project whose package.json is
 * `manifest`. npm leaves optional peer dependencies out, as it does for a user; packages come
 * from npm's cache when it has them.
 */
export async function installPackedPackage(manifest: Record<string, unknown>): Promise<InstalledPackage> {
  const directory = await mkdtemp(join(tmpdir(), 'kfp-provider-consumer-'));
  try {
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', directory], {
      cwd: packageRoot,
      timeout: 60_000,
    });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
    await writeFile(join(directory, 'package.json'), JSON.stringify(manifest));
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', `./${packed!.filename}`], {
      cwd: directory,
      timeout: 120_000,
    });
    const nodeModules = join(directory, 'node_modules');
    return {
      directory,
      installedMiB: (await sizeOf(nodeModules)) / 1024 / 1024,
      packages: await installedNames(nodeModules),
      remove: () => rm(directory, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}
