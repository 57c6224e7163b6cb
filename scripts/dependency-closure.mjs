// The names of some packages and of every package they depend on, read from the installed
// package.json files the way Node resolves them (nested node_modules first, then upwards).
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

async function manifestFrom(directory, name) {
  for (let current = directory; ; current = dirname(current)) {
    const path = join(current, 'node_modules', name, 'package.json');
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text !== undefined) return { directory: dirname(path), manifest: JSON.parse(text) };
    if (dirname(current) === current) return undefined;
  }
}

/**
 * The installed directory of every package reachable from `names` through `dependencies` and
 * installed `optionalDependencies`, resolved from `rootDirectory`.
 * @param {string} rootDirectory
 * @param {readonly string[]} names
 * @returns {Promise<Set<string>>}
 */
export async function dependencyClosure(rootDirectory, names) {
  const visited = new Set();
  const pending = names.map((name) => ({ name, from: rootDirectory, required: true }));
  while (pending.length > 0) {
    const { name, from, required } = pending.pop();
    const installed = await manifestFrom(from, name);
    if (!installed) {
      if (required) throw new Error(`${name} is not installed (needed from ${from})`);
      continue;
    }
    if (visited.has(installed.directory)) continue;
    visited.add(installed.directory);
    const { dependencies = {}, optionalDependencies = {} } = installed.manifest;
    for (const dependency of Object.keys(dependencies)) pending.push({ name: dependency, from: installed.directory, required: true });
    for (const dependency of Object.keys(optionalDependencies))
      pending.push({ name: dependency, from: installed.directory, required: false });
  }
  return visited;
}
