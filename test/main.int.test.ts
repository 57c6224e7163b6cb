import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PubSub } from '@google-cloud/pubsub';
import { expect } from 'chai';
import { RecordingWebhookReceiver } from '../src/testing/recording-webhook-receiver.js';
import { DefinitionBodyMother } from './support/definition-mother.js';
import { eventually, freePort } from './support/eventually.js';
import { send } from './support/http-client.js';
import { PubSubEmulator } from './support/pubsub-emulator.js';

const mainScript = fileURLToPath(new URL('../dist/main.js', import.meta.url));

interface Child {
  readonly process: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(env: Record<string, string>, args: string[] = []): Child {
  const child = spawn(process.execPath, [mainScript, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const state: Child = {
    process: child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (state.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (state.stderr += chunk));
  return state;
}

async function status(url: string): Promise<number | undefined> {
  return fetch(url).then(
    (response) => response.status,
    () => undefined,
  );
}

/** A Vertex AI service on the given ports, receiving events from Pub/Sub at `pubsubHost`. */
function vertexEnv(apiPort: number, metricsPort: number, pubsubHost: string): Record<string, string> {
  return {
    SERVER_HOST: '127.0.0.1',
    SERVER_PORT: String(apiPort),
    METRICS_PORT: String(metricsPort),
    PROVIDERNAME: 'ops/vai',
    PIPELINEROOTSTORAGE: 'gs://pipeline-root',
    OPERATORWEBHOOK: 'http://127.0.0.1:1/events',
    PARAMETERS_VAIPROJECT: 'test-project',
    PARAMETERS_VAILOCATION: 'europe-west2',
    PARAMETERS_PIPELINEBUCKET: 'pipelines',
    PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION: 'pipeline-events',
    PUBSUB_EMULATOR_HOST: pubsubHost,
  };
}

function isSuccess(code: number | undefined): boolean {
  return code !== undefined && code >= 200 && code < 300;
}

describe('the built service as a child process (dist/main.js)', function () {
  this.timeout(15_000);
  const children: Child[] = [];

  before(function () {
    if (!existsSync(mainScript)) throw new Error(`${mainScript} is missing: run "npm run build" (npm test does it in pretest)`);
  });

  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.process.exitCode === null && child.process.signalCode === null) {
        child.process.kill('SIGKILL');
        await child.exited;
      }
    }
  });

  it('starts with only its ports set, gets ready, and exits 0 on SIGTERM within 5 s', async () => {
    const [apiPort, metricsPort] = [await freePort(), await freePort()];
    const child = run({ SERVER_HOST: '127.0.0.1', SERVER_PORT: String(apiPort), METRICS_PORT: String(metricsPort) });
    children.push(child);
    await eventually(
      `/readyz to answer 2xx (stdout: ${child.stdout} stderr: ${child.stderr})`,
      async () => isSuccess(await status(`http://127.0.0.1:${apiPort}/readyz`)),
      8000,
      50,
    );
    expect(await status(`http://127.0.0.1:${apiPort}/livez`)).to.equal(200);
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).to.equal(200);
    expect(await metrics.text()).to.include('process_cpu_user_seconds_total');
    expect(child.stderr).to.equal('');
    const started = JSON.parse(child.stdout.split('\n').find((line) => line.includes('provider service started'))!) as Record<
      string,
      unknown
    >;
    expect(started).to.include({ level: 'info', apiPort, metricsPort });

    const signalledAt = Date.now();
    child.process.kill('SIGTERM');
    const exit = await child.exited;
    expect(Date.now() - signalledAt).to.be.below(5000);
    expect(exit).to.deep.equal({ code: 0, signal: null });
  });

  it('exits 0 on SIGTERM within its shutdown budget while a webhook delivery hangs', async () => {
    const receiver = await new RecordingWebhookReceiver().start();
    try {
      receiver.answerWith('hang');
      const [apiPort, metricsPort] = [await freePort(), await freePort()];
      const child = run({
        SERVER_HOST: '127.0.0.1',
        SERVER_PORT: String(apiPort),
        METRICS_PORT: String(metricsPort),
        OPERATORWEBHOOK: receiver.url,
        EVENTS_CONCURRENCY: '1',
        SHUTDOWN_TIMEOUT_MS: '300',
        PARAMETERS_RUNDURATIONMS: '10',
      });
      children.push(child);
      const base = `http://127.0.0.1:${apiPort}`;
      await eventually('/readyz to answer 2xx', async () => isSuccess(await status(`${base}/readyz`)), 8000, 50);
      expect((await send(base, 'POST', '/resource/pipeline', { json: DefinitionBodyMother.pipeline() })).status).to.equal(201);
      expect((await send(base, 'POST', '/resource/run', { json: DefinitionBodyMother.run() })).status).to.equal(201);
      await receiver.waitForRequests(1, 5000);
      const signalledAt = Date.now();
      child.process.kill('SIGTERM');
      expect(await child.exited).to.deep.equal({ code: 0, signal: null });
      expect(Date.now() - signalledAt).to.be.below(1300);
    } finally {
      await receiver.stop();
    }
  });

  it('exits non-zero with one stderr line naming an invalid variable', async () => {
    const child = run({ SERVER_PORT: 'abc' });
    children.push(child);
    const exit = await child.exited;
    expect(exit.code).to.be.a('number').and.not.equal(0);
    const lines = child.stderr.split('\n').filter((line) => line !== '');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include('SERVER_PORT').and.include('abc');
    expect(child.stdout).to.equal('');
  });

  it('exits 2 naming PROVIDERNAME and every other missing variable, one line each, when a cloud provider lacks them', async () => {
    const child = run({ PARAMETERS_VAIPROJECT: 'p', SERVER_PORT: '0', METRICS_PORT: '0' });
    children.push(child);
    expect((await child.exited).code).to.equal(2);
    const [heading, ...lines] = child.stderr.trim().split('\n');
    expect(heading).to.equal('configuration error:');
    expect(lines.map((line) => line.trim().split(' ')[0])).to.deep.equal([
      'PROVIDERNAME',
      'PIPELINEROOTSTORAGE',
      'OPERATORWEBHOOK',
      'PARAMETERS_VAILOCATION',
      'PARAMETERS_PIPELINEBUCKET',
      'PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION',
    ]);
  });

  it('ends at once on SIGTERM while its event source is still connecting', async () => {
    // Nothing listens on the Pub/Sub port, so the subscription check keeps retrying.
    const [apiPort, metricsPort, pubsubPort] = [await freePort(), await freePort(), await freePort()];
    const child = run(vertexEnv(apiPort, metricsPort, `127.0.0.1:${pubsubPort}`));
    children.push(child);
    await eventually(
      'the API answers while the source connects',
      async () => (await status(`http://127.0.0.1:${apiPort}/readyz`)) === 503,
      10_000,
    );
    const started = Date.now();
    child.process.kill('SIGTERM');
    expect(await child.exited).to.deep.equal({ code: 0, signal: null });
    expect(Date.now() - started).to.be.below(2000);
    expect(child.stdout).to.include('stopping at once');
  });

  it('exits 1 with a log line naming the source and how long it was down when Pub/Sub stays away past the budget', async function () {
    this.timeout(90_000);
    const emulator = await new PubSubEmulator().start();
    try {
      const admin = new PubSub({
        projectId: 'test-project',
        apiEndpoint: emulator.host,
        emulatorMode: true,
        universeDomain: 'googleapis.com',
      });
      await admin.createTopic('pipeline-events-topic');
      await admin.topic('pipeline-events-topic').createSubscription('pipeline-events');
      await admin.close();
      const [apiPort, metricsPort] = [await freePort(), await freePort()];
      const child = run({
        ...vertexEnv(apiPort, metricsPort, emulator.host),
        EVENTS_SOURCE_RECONNECT_BUDGET_MS: '1500',
        SHUTDOWN_TIMEOUT_MS: '500',
      });
      children.push(child);
      await eventually(
        `/readyz to answer 2xx (stdout: ${child.stdout})`,
        async () => isSuccess(await status(`http://127.0.0.1:${apiPort}/readyz`)),
        20_000,
        50,
      );

      await emulator.kill();
      const killedAt = Date.now();
      const exit = await child.exited;
      expect(exit).to.deep.equal({ code: 1, signal: null });
      // Lost within a second, the budget, a second to notice, the shutdown: well under 10 s.
      expect(Date.now() - killedAt).to.be.below(10_000);
      const lines = child.stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const exiting = lines.filter((line) => String(line['msg']).includes('exiting'));
      expect(exiting, child.stdout).to.have.length(1);
      expect(exiting[0]).to.include({
        level: 'error',
        msg: 'run event source failed for good; exiting so that the container is restarted',
      });
      expect(exiting[0]!['failure']).to.match(
        /^Pub\/Sub subscription projects\/test-project\/subscriptions\/pipeline-events unreachable for \d\.\d s, beyond the reconnect budget of 1\.5 s: 14 UNAVAILABLE/,
      );
    } finally {
      await emulator.stop();
    }
  });

  it('prints the configuration table with --help and exits 0 without listening', async () => {
    const child = run({}, ['--help']);
    children.push(child);
    expect(await child.exited).to.deep.equal({ code: 0, signal: null });
    for (const variable of [
      'PROVIDERNAME',
      'PIPELINEROOTSTORAGE',
      'OPERATORWEBHOOK',
      'SERVER_HOST',
      'SERVER_PORT',
      'METRICS_PORT',
      'PARAMETERS_VAIPROJECT',
    ]) {
      expect(child.stdout).to.match(new RegExp(`^  ${variable} `, 'm'));
    }
    expect(child.stdout).to.include('(default 8080)');
  });

  it('prints the package version with --version and exits 0 without listening', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const child = run({}, ['--version']);
    children.push(child);
    expect(await child.exited).to.deep.equal({ code: 0, signal: null });
    expect(child.stdout).to.equal(`${version}\n`);
  });

  for (const args of [['--verbose'], ['serve'], ['--help', '--json']]) {
    it(`refuses "${args.join(' ')}" with exit code 2, naming it, and starts nothing`, async () => {
      const port = await freePort();
      const child = run({ SERVER_PORT: String(port), METRICS_PORT: '0' }, args);
      children.push(child);
      expect(await child.exited).to.deep.equal({ code: 2, signal: null });
      expect(child.stderr).to.include(`"${args.at(-1)!}"`);
      expect(child.stdout).to.equal('');
    });
  }

  it('reports every invalid setting at once, one line per variable, with exit code 2', async () => {
    const child = run({ SERVER_PORT: 'eighty', LOG_LEVEL: 'loud', PROVIDER_TYPE: 'vai' });
    children.push(child);
    expect(await child.exited).to.deep.equal({ code: 2, signal: null });
    for (const variable of ['SERVER_PORT', 'LOG_LEVEL', 'PROVIDERNAME', 'OPERATORWEBHOOK', 'PARAMETERS_VAIPROJECT']) {
      expect(child.stderr.split('\n').filter((line) => line.includes(variable))).to.have.length.greaterThan(0, variable);
    }
  });

  it('writes process warnings as JSON lines, not as plain-text stderr lines', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'data:text/javascript,setTimeout(() => process.emitWarning("no metadata server", "MetadataLookupWarning"), 200)',
        mainScript,
      ],
      { env: { SERVER_PORT: '0', METRICS_PORT: '0', SERVER_HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await eventually('the warning to be logged', async () => stdout.includes('MetadataLookupWarning'));
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const lines = stdout.split('\n').filter((line) => line !== '');
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.to.throw();
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).to.deep.include.members([
      {
        ...JSON.parse(lines.find((line) => line.includes('MetadataLookupWarning'))!),
        warning: 'MetadataLookupWarning',
        message: 'no metadata server',
      },
    ]);
    expect(stderr).not.to.include('MetadataLookupWarning');
  });
});
