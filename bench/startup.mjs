// Start-up time and memory of the service, per provider, next to a bare node:http server started
// the same way. Fresh processes, interleaved round by round (bare, local, kfp, …, bare, local, …)
// so that the load of a shared machine falls on every target alike; prints medians, the ratios
// to the bare server and the goals. The ready time is the time from spawn to the first 2xx of
// /readyz, which the service answers only once its event source is connected: the kfp provider
// against a fake Kubernetes API server (the Argo workflow watch with leader election, its
// default), the vai provider against the real Pub/Sub emulator and a fake Vertex AI gRPC server.
// Every process starts with the compile cache the image holds: one filled by
// dist/warm-compile-cache.mjs before the first round, copied afresh for each start, since the
// image's cache is read-only and never holds what an earlier start compiled.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startFakeKubernetesServer } from './fixtures/fake-kubernetes-server.mjs';
import { startFakeVertexServer } from './fixtures/fake-vertex-server.mjs';
import { emulatorClient, startPubSubEmulator } from './support-pubsub.mjs';
import { freePort, imageNodeOptions, median, row, rssMiB, startNode, stopChild, waitFor2xx } from './support.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 7);
const requests = Number(process.env.BENCH_REQUESTS ?? 1000);
const serviceScript = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const bareScript = fileURLToPath(new URL('./fixtures/bare-server.mjs', import.meta.url));
const project = 'bench-startup';
const subscriptionName = 'bench-startup-events';

/**
 * The targets, in the order of each round. `env(fixtures, round)` gives a target's own settings;
 * `exercise` marks the one whose RSS after `requests` operator calls is measured; `goal` is the
 * largest ready time allowed, as a multiple of the bare server's; `needs` names the fixtures;
 * `compileCache: false` starts it without the compile cache.
 */
export const targets = [
  { name: 'bare node:http', script: bareScript, env: () => ({}) },
  { name: 'service (local)', script: serviceScript, env: () => ({ PROVIDER_TYPE: 'local' }), exercise: true, goal: 2.5 },
  {
    name: 'service (kfp)',
    script: serviceScript,
    needs: 'kubernetes',
    goal: 4,
    env: ({ kubernetes }, round) => ({
      ...kfpSettings(),
      KUBECONFIG: kubernetes.kubeconfig,
      // A lease of its own per process: every start-up reads, then creates its lease.
      KFP_LEASE_NAME: `bench-startup-${round}`,
      KFP_LEASE_HOLDER_IDENTITY: 'bench-replica',
    }),
  },
  {
    name: 'service (kfp relay)',
    script: serviceScript,
    env: () => ({ ...kfpSettings(), PARAMETERS_KFPWORKFLOWEVENTS: 'relay' }),
  },
  vaiTarget('service (vai)', { goal: 4 }),
  // What the compile cache is worth: the same start-up compiling everything.
  vaiTarget('service (vai), no cache', { compileCache: false }),
];

/** The vai provider against the emulator and the fake Vertex AI; `options` as in {@link targets}. */
function vaiTarget(name, options) {
  return {
    name,
    script: serviceScript,
    needs: 'pubsub',
    ...options,
    env: ({ pubsub, vertex }) => ({
      PROVIDER_TYPE: 'vai',
      PROVIDERNAME: 'bench/vai',
      PIPELINEROOTSTORAGE: 'gs://bench-pipeline-root',
      PARAMETERS_VAIPROJECT: project,
      PARAMETERS_VAILOCATION: 'europe-west2',
      PARAMETERS_PIPELINEBUCKET: 'bench-pipelines',
      PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION: subscriptionName,
      PARAMETERS_VAIENDPOINT: vertex.endpoint,
      // Never called before ready; a closed port makes any stray call fail fast.
      PARAMETERS_GCSENDPOINT: 'http://127.0.0.1:1',
      PUBSUB_EMULATOR_HOST: pubsub.host,
    }),
  };
}

// The Kubeflow settings of a default deployment; the KFP API and ML Metadata are not called
// before the service is ready, so they point at a closed port.
function kfpSettings() {
  return {
    PROVIDER_TYPE: 'kfp',
    PROVIDERNAME: 'bench/kfp',
    PIPELINEROOTSTORAGE: 'minio://bench-pipeline-root',
    PARAMETERS_RESTKFPAPIURL: 'http://127.0.0.1:1',
    PARAMETERS_GRPCMETADATASTOREADDRESS: '127.0.0.1:1',
  };
}

/** A compile cache filled as the image build fills it, in a new temporary directory. */
async function warmCompileCache() {
  const directory = await mkdtemp(join(tmpdir(), 'bench-startup-cache-'));
  const cache = join(directory, 'warmed');
  await promisify(execFile)(process.execPath, [fileURLToPath(new URL('../dist/warm-compile-cache.mjs', import.meta.url))], {
    env: { PATH: process.env.PATH, NODE_COMPILE_CACHE: cache },
  });
  return { directory, cache, stop: () => rm(directory, { recursive: true, force: true }) };
}

/** Starts what the targets need: the fake Kubernetes API, the Pub/Sub emulator with the subscription, the fake Vertex AI. */
async function startFixtures(wanted, stops) {
  const fixtures = {};
  if (wanted.has('kubernetes')) {
    fixtures.kubernetes = await startFakeKubernetesServer();
    stops.unshift(fixtures.kubernetes.stop);
  }
  if (wanted.has('pubsub')) {
    const emulator = await startPubSubEmulator(project);
    stops.unshift(emulator.stop);
    const client = emulatorClient(project, emulator.host);
    stops.unshift(() => client.close());
    const [topic] = await client.createTopic(`${subscriptionName}-topic`);
    await topic.createSubscription(subscriptionName);
    fixtures.pubsub = { host: emulator.host };
    fixtures.vertex = await startFakeVertexServer();
    stops.unshift(fixtures.vertex.stop);
  }
  return fixtures;
}

async function exercise(port) {
  // The operator's traffic: resource calls and probes, sequentially as curl steps do.
  const body = JSON.stringify({ name: 'bench/experiment', version: '1', description: 'bench' });
  for (let index = 0; index < requests; index += 1) {
    const response =
      index % 2 === 0
        ? await fetch(`http://127.0.0.1:${port}/resource/experiment`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          })
        : await fetch(`http://127.0.0.1:${port}/readyz`);
    await response.arrayBuffer();
  }
}

/** One fresh process of `target`: ready time, idle RSS and (for an exercised target) RSS after the requests. */
async function startOnce(target, fixtures, round) {
  const port = await freePort();
  const cache = target.compileCache === false ? undefined : join(fixtures.compileCache.directory, `start-${round}`);
  if (cache) await cp(fixtures.compileCache.cache, cache, { recursive: true });
  // Every target, the bare baseline included, runs with the image's heap settings.
  const env = {
    PATH: process.env.PATH,
    NODE_OPTIONS: imageNodeOptions(),
    SERVER_PORT: String(port),
    METRICS_PORT: String(await freePort()),
    LOG_LEVEL: 'error',
    ...(cache ? { NODE_COMPILE_CACHE: cache } : {}),
    // No event is sent before ready; a closed port makes any stray delivery fail fast.
    OPERATORWEBHOOK: 'http://127.0.0.1:1/events',
    ...target.env(fixtures, round),
  };
  const { child, startedAt, output } = startNode(target.script, env);
  try {
    const readyMs = await waitFor2xx(`http://127.0.0.1:${port}/readyz`, startedAt, 30_000, child).catch((error) => {
      throw new Error(`${target.name} did not start: ${error.message}\n${output()}`, { cause: error });
    });
    const idleMiB = rssMiB(child.pid);
    if (!target.exercise) return { readyMs, idleMiB };
    await exercise(port);
    return { readyMs, idleMiB, loadedMiB: rssMiB(child.pid) };
  } finally {
    await stopChild(child);
    if (cache) await rm(cache, { recursive: true, force: true });
  }
}

function summary(target, samples) {
  const loaded = samples.map((sample) => sample.loadedMiB).filter((value) => value !== undefined);
  return {
    name: target.name,
    readyMs: median(samples.map((sample) => sample.readyMs)),
    idleMiB: median(samples.map((sample) => sample.idleMiB)),
    ...(loaded.length > 0 ? { loadedMiB: median(loaded) } : {}),
  };
}

/** Runs `chosen` in interleaved rounds with the fixtures they need; resolves to one summary per target. */
async function measureAll(chosen) {
  const stops = [];
  // A Ctrl-C must not leave the emulator's Java server behind: it runs in its own process group.
  const interrupted = () => {
    Promise.allSettled(stops.map((stop) => stop())).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  try {
    const fixtures = await startFixtures(new Set(chosen.map((target) => target.needs).filter(Boolean)), stops);
    fixtures.compileCache = await warmCompileCache();
    stops.unshift(fixtures.compileCache.stop);
    // One unmeasured round first: the emulator is a JVM and the page cache is cold for everyone.
    for (const target of chosen) await startOnce(target, fixtures, -1);
    const samples = chosen.map(() => []);
    for (let round = 0; round < runs; round += 1) {
      for (const [index, target] of chosen.entries()) samples[index].push(await startOnce(target, fixtures, round));
    }
    return chosen.map((target, index) => summary(target, samples[index]));
  } finally {
    process.removeListener('SIGINT', interrupted);
    for (const stop of stops) await stop().catch(() => undefined);
  }
}

/** Measures every target in interleaved rounds and prints the table and the goals. */
export async function main(extraTargets = []) {
  const chosen = [...targets, ...extraTargets];
  const results = await measureAll(chosen);
  const [bare] = results;
  console.log(
    `\nstart-up: median of ${runs} fresh processes per target, interleaved round by round (NODE_OPTIONS="${imageNodeOptions()}" and a warmed compile cache, as in the image); ` +
      `ready = spawn to the first 2xx of /readyz; RSS after ${requests} requests for the local provider`,
  );
  const widths = [22, 12, 8, 14, 16, 22];
  row(['target', 'ready (ms)', '× bare', 'idle RSS MiB', 'RSS after MiB', 'goal'], widths);
  for (const [index, result] of results.entries()) {
    const ratio = result.readyMs / bare.readyMs;
    const { goal } = chosen[index];
    row(
      [
        result.name,
        result.readyMs.toFixed(0),
        ratio.toFixed(2),
        result.idleMiB.toFixed(1),
        result.loadedMiB === undefined ? '' : result.loadedMiB.toFixed(1),
        goal === undefined ? '' : `≤ ${goal}× ${ratio <= goal ? 'met' : 'MISSED'}`,
      ],
      widths,
    );
  }
  const local = results.find((result) => result.name === 'service (local)');
  if (local?.loadedMiB !== undefined) {
    console.log(
      `goal (local): RSS after ${requests} requests ≤ 100 MiB → ${local.loadedMiB.toFixed(1)} MiB ${local.loadedMiB <= 100 ? 'met' : 'MISSED'}`,
    );
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
