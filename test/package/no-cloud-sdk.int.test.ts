import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { packageRoot, requireFreshBuild } from './built-package.js';

const run = promisify(execFile);

const cloudPackages = [
  '@google-cloud/aiplatform',
  '@google-cloud/pubsub',
  '@google-cloud/storage',
  '@kubernetes/client-node',
  'google-gax',
  '@grpc/grpc-js',
];

// The child records every module resolution (ESM imports and CommonJS requires alike) with
// Node's synchronous module hooks, imports the given modules in order, and prints the packages
// whose files were loaded after each import.
const recorder = `
import { registerHooks } from 'node:module';
const packages = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    const match = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(decodeURIComponent(result.url));
    if (match) packages.add(match[1]);
    return result;
  },
});
const report = [];
for (const url of process.argv.slice(1)) {
  await import(url);
  report.push({ url, packages: [...packages].sort() });
}
process.stdout.write(JSON.stringify(report));
`;

async function packagesLoadedBy(...urls: string[]): Promise<Array<{ url: string; packages: string[] }>> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '--eval', recorder, ...urls], {
    cwd: packageRoot,
    timeout: 30_000,
  });
  return JSON.parse(stdout) as Array<{ url: string; packages: string[] }>;
}

const distUrl = (entry: string): string => pathToFileURL(join(packageRoot, entry)).href;

describe('the package entry loads no cloud SDK (built output, fresh process)', function () {
  this.timeout(60_000);

  before(async () => {
    await requireFreshBuild(['dist/index.js', 'dist/testing/index.js']);
  });

  it('imports the package entry and the testing entry without loading any cloud SDK', async () => {
    const [entry, testing] = await packagesLoadedBy(distUrl('dist/index.js'), distUrl('dist/testing/index.js'));
    expect(entry!.packages, 'the package entry must load something, or the recorder saw nothing').to.include.members(['inversify', 'koa']);
    expect(entry!.packages).not.to.include.any.members(cloudPackages);
    expect(testing!.packages).not.to.include.any.members(cloudPackages);
  });

  it('would notice a cloud SDK being loaded (the recorder is not blind to them)', async () => {
    const [, pubsub] = await packagesLoadedBy(distUrl('dist/index.js'), '@google-cloud/pubsub');
    expect(pubsub!.packages).to.include('@google-cloud/pubsub');
  });
});
