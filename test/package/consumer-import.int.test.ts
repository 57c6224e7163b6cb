import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { packageRoot, requireFreshBuild } from './built-package.js';
import { type InstalledPackage, installPackedPackage } from './installed-package.js';

const run = promisify(execFile);

/** What a consumer of the root and testing entries may install, in MiB. */
const installBudgetMiB = 40;

/** The optional peer dependencies: the cloud SDKs and the Kubernetes client. */
const cloudPackages = [
  '@google-cloud/aiplatform',
  '@google-cloud/pubsub',
  '@google-cloud/storage',
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  '@kubernetes/client-node',
  'google-gax',
];

// What the package.json `exports` map must offer for a consumer to import (or require) the entries.
const requiredExports: Record<string, { types: string; import: string; default: string }> = {
  '.': { types: './dist/index.d.ts', import: './dist/index.js', default: './dist/index.js' },
  './testing': { types: './dist/testing/index.d.ts', import: './dist/testing/index.js', default: './dist/testing/index.js' },
  './vertex': {
    types: './dist/adapters/vertex/vertex-module.d.ts',
    import: './dist/adapters/vertex/vertex-module.js',
    default: './dist/adapters/vertex/vertex-module.js',
  },
  './kfp': {
    types: './dist/adapters/kfp/kfp-module.d.ts',
    import: './dist/adapters/kfp/kfp-module.js',
    default: './dist/adapters/kfp/kfp-module.js',
  },
};

// A consumer's script: a custom provider in a few lines, run by the service over real HTTP,
// its completion delivered to a webhook receiver from the testing entry.
const consumerScript = `
import * as entry from 'kfp-provider-service';
import * as testing from 'kfp-provider-service/testing';
const { createProviderService, InMemoryRunEventSource, BackendError } = entry;
const events = new InMemoryRunEventSource();
const provider = {
  pipeline: {},
  runschedule: {},
  experiment: {},
  run: {
    create: async (run) => {
      if (run.pipelineName.name === '') throw new BackendError('no pipeline');
      events.publish({ status: 'succeeded', pipelineName: run.pipelineName, runName: run.name, runId: 'consumer-1',
        pipelineComponents: [], provider: { namespace: 'kfp', name: 'consumer' } });
      return 'consumer-1';
    },
  },
};
const webhook = await new testing.RecordingWebhookReceiver().start();
const service = createProviderService({ provider, eventSource: events, config: { OPERATORWEBHOOK: webhook.url } });
try {
  await service.start();
  const response = await fetch(service.url + '/resource/run', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'team/run', pipelineName: 'team/pipeline' }),
  });
  const [request] = await webhook.waitForRequests(1);
  process.stdout.write(JSON.stringify({
    status: response.status,
    body: await response.json(),
    event: request.json,
    sameSource: testing.InMemoryRunEventSource === InMemoryRunEventSource,
    testingExports: Object.keys(testing).sort(),
  }));
} finally {
  await service.stop();
  await webhook.stop();
}
`;

// CommonJS: Node 22.12+ require()s an ES module that has no top-level await.
const commonJsConsumer = `
const entry = require('kfp-provider-service');
const testing = require('kfp-provider-service/testing');
process.stdout.write(JSON.stringify({
  createProviderService: typeof entry.createProviderService,
  sameSource: testing.InMemoryRunEventSource === entry.InMemoryRunEventSource,
}));
`;

// Without the optional peers: the Kubeflow module fails at import, a Vertex AI service at start.
const withoutCloudSdks = `
const outcome = async (attempt) => attempt().then(() => 'no error', (error) => String(error.message).split('\\n')[0]);
const kfp = await outcome(() => import('kfp-provider-service/kfp'));
const { createProviderService } = await import('kfp-provider-service');
const vai = await outcome(async () => {
  const service = createProviderService({ provider: 'vai', config: {
    PROVIDERNAME: 'ops/vai', PIPELINEROOTSTORAGE: 'gs://root', OPERATORWEBHOOK: 'http://127.0.0.1:1/events',
    PARAMETERS_VAIPROJECT: 'p', PARAMETERS_VAILOCATION: 'europe-west2', PARAMETERS_PIPELINEBUCKET: 'b',
    PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION: 's', PUBSUB_EMULATOR_HOST: '127.0.0.1:1' } });
  await service.start();
  await service.stop();
});
process.stdout.write(JSON.stringify({ kfp, vai }));
`;

// Declarations checked with skipLibCheck off: every type the public entries mention resolves.
const consumerTypes = `
import { createProviderService, type Provider, type ProviderService } from 'kfp-provider-service';
import { describeProviderContract, InMemoryProvider } from 'kfp-provider-service/testing';
import { vertexModule } from 'kfp-provider-service/vertex';
import { kfpModule } from 'kfp-provider-service/kfp';
const provider: Provider = new InMemoryProvider();
const service: ProviderService = createProviderService({ provider, config: { SERVER_PORT: '0' } });
export const declare: typeof describeProviderContract = describeProviderContract;
export const port: number | undefined = service.apiPort;
export const app: ProviderService['app'] = service.app;
export const modules = [vertexModule, kfpModule];
`;

async function runNode(consumer: InstalledPackage, file: string, source: string): Promise<Record<string, unknown>> {
  await writeFile(join(consumer.directory, file), source);
  const { stdout } = await run(process.execPath, [file], { cwd: consumer.directory, timeout: 30_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('the package as a consumer installs it (npm pack, npm install of the tarball, separate processes)', function () {
  this.timeout(90_000);
  let consumer: InstalledPackage | undefined;

  before(async function () {
    this.timeout(180_000);
    const manifest = JSON.parse(await readFile(join(packageRoot, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };
    for (const [subpath, target] of Object.entries(requiredExports)) {
      expect(manifest.exports?.[subpath], `package.json must map exports["${subpath}"] to ${JSON.stringify(target)}`).to.deep.include(
        target,
      );
    }
    await requireFreshBuild(['dist/index.js', 'dist/index.d.ts', 'dist/testing/index.js', 'dist/testing/index.d.ts']);
    consumer = await installPackedPackage({ name: 'consumer', type: 'module', private: true });
  });

  after(async () => {
    await consumer?.remove();
  });

  it(`installs at most ${installBudgetMiB} MiB, without any cloud SDK (they are optional peers)`, () => {
    console.log(`      installed: ${consumer!.installedMiB.toFixed(1)} MiB in node_modules, ${consumer!.packages.length} packages`);
    expect(consumer!.packages).to.include('kfp-provider-service');
    expect(consumer!.packages).not.to.include.any.members(cloudPackages);
    expect(consumer!.installedMiB).to.be.at.most(installBudgetMiB);
  });

  it('runs a custom provider end to end: POST a run, its event reaches the webhook as RunCompletionEventData', async () => {
    const result = await runNode(consumer!, 'consumer.mjs', consumerScript);
    expect(result['status']).to.equal(201);
    expect(result['body']).to.deep.equal({ id: 'consumer-1' });
    expect(result['event']).to.deep.equal({
      status: 'succeeded',
      pipelineName: 'team/pipeline',
      runName: 'team/run',
      runId: 'consumer-1',
      pipelineComponents: [],
      provider: 'kfp/consumer',
    });
    expect(result['sameSource'], 'both entries must share one InMemoryRunEventSource class').to.equal(true);
    expect(result['testingExports']).to.include.members([
      'InMemoryProvider',
      'InMemoryRunEventSource',
      'RecordingWebhookReceiver',
      'describeProviderContract',
    ]);
  });

  it('is required from CommonJS: both entries, one copy of the shared classes', async () => {
    expect(await runNode(consumer!, 'consumer.cjs', commonJsConsumer)).to.deep.equal({
      createProviderService: 'function',
      sameSource: true,
    });
  });

  it('without the cloud SDKs, the Kubeflow entry and a Vertex AI service fail naming the package that is missing', async () => {
    const { kfp, vai } = await runNode(consumer!, 'without-sdks.mjs', withoutCloudSdks);
    const namesAPeer = (message: unknown): boolean => cloudPackages.some((name) => String(message).includes(`'${name}'`));
    expect(kfp, String(kfp)).to.satisfy(namesAPeer);
    expect(vai, String(vai)).to.satisfy(namesAPeer);
  });

  it('type-checks a TypeScript consumer against the published declarations, library checks included', async () => {
    await writeFile(join(consumer!.directory, 'consumer.ts'), consumerTypes);
    await writeFile(
      join(consumer!.directory, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2023',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(packageRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer!.directory, timeout: 60_000 }).catch(
      (error: { stdout?: string; stderr?: string }) => error,
    );
    expect(`${result.stdout ?? ''}${result.stderr ?? ''}`).to.equal('');
  });
});
