import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { packageRoot, requireFreshBuild } from './built-package.js';

const run = promisify(execFile);

// What the package.json `exports` map must offer for a consumer to import the entries.
const requiredExports: Record<string, { types: string; import: string }> = {
  '.': { types: './dist/index.d.ts', import: './dist/index.js' },
  './testing': { types: './dist/testing/index.d.ts', import: './dist/testing/index.js' },
  './vertex': { types: './dist/adapters/vertex/vertex-module.d.ts', import: './dist/adapters/vertex/vertex-module.js' },
  './kfp': { types: './dist/adapters/kfp/kfp-module.d.ts', import: './dist/adapters/kfp/kfp-module.js' },
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

const consumerTypes = `
import { createProviderService, type Provider, type ProviderService } from 'kfp-provider-service';
import { describeProviderContract, InMemoryProvider } from 'kfp-provider-service/testing';
const provider: Provider = new InMemoryProvider();
const service: ProviderService = createProviderService({ provider, config: { SERVER_PORT: '0' } });
export const declare: typeof describeProviderContract = describeProviderContract;
export const port: number | undefined = service.apiPort;
`;

describe('the package as a consumer imports it (built output, exports map, separate process)', function () {
  this.timeout(90_000);
  let consumer: string | undefined;

  before(async () => {
    const manifest = JSON.parse(await readFile(join(packageRoot, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };
    for (const [subpath, target] of Object.entries(requiredExports)) {
      expect(manifest.exports?.[subpath], `package.json must map exports["${subpath}"] to ${JSON.stringify(target)}`).to.deep.include(
        target,
      );
    }
    await requireFreshBuild(['dist/index.js', 'dist/index.d.ts', 'dist/testing/index.js', 'dist/testing/index.d.ts']);
    consumer = await mkdtemp(join(tmpdir(), 'kfp-provider-consumer-'));
    await mkdir(join(consumer, 'node_modules'));
    await symlink(packageRoot, join(consumer, 'node_modules', 'kfp-provider-service'), 'dir');
    await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  });

  after(async () => {
    if (consumer) await rm(consumer, { recursive: true, force: true });
  });

  it('runs a custom provider end to end: POST a run, its event reaches the webhook as RunCompletionEventData', async () => {
    await writeFile(join(consumer!, 'consumer.mjs'), consumerScript);
    const { stdout } = await run(process.execPath, ['consumer.mjs'], { cwd: consumer!, timeout: 30_000 });
    const result = JSON.parse(stdout) as Record<string, unknown>;
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

  it('type-checks a TypeScript consumer against the published declarations', async () => {
    await writeFile(join(consumer!, 'consumer.ts'), consumerTypes);
    await writeFile(
      join(consumer!, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2023',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(packageRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: consumer!, timeout: 60_000 }).catch(
      (error: { stdout?: string; stderr?: string }) => error,
    );
    expect(`${result.stdout ?? ''}${result.stderr ?? ''}`).to.equal('');
  });
});
