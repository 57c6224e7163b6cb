// The Vertex AI (`vai`) provider end to end: dist/main.js against the real Pub/Sub emulator, a fake
// Vertex AI gRPC server and a webhook receiver. Prints start-up time, idle RSS, peak RSS while
// Cloud Logging entries flow (emulator → service → GetPipelineJob → webhook) and the event rate,
// next to the local provider's figures and to the rate at which the same Pub/Sub client drains
// the same messages when it does nothing but ack them, all measured in the same run.
import { fileURLToPath } from 'node:url';
import { PubSub } from '@google-cloud/pubsub';
import { startFakeVertexServer } from './fixtures/fake-vertex-server.mjs';
import { measure, targets } from './startup.mjs';
import { startPubSubEmulator } from './support-pubsub.mjs';
import { freePort, imageNodeOptions, median, row, rssMiB, startNode, startWebhookReceiver, stopChild, waitFor2xx } from './support.mjs';

const runs = Number(process.env.BENCH_VAI_RUNS ?? 3);
const count = Number(process.env.BENCH_VAI_EVENTS ?? 2000);
// 0 by default: the question here is whether the service keeps up with Pub/Sub, not the operator.
const webhookLatencyMs = Number(process.env.BENCH_VAI_WEBHOOK_LATENCY_MS ?? 0);
// Unset = the service's own default, which is what a deployment gets.
const eventsConcurrency = process.env.BENCH_VAI_EVENTS_CONCURRENCY;
const sampleEveryMs = 50;
const drainTimeoutMs = 120_000;
const project = 'bench-project';
const location = 'europe-west2';
const serviceScript = fileURLToPath(new URL('../dist/main.js', import.meta.url));

const targetsVai = Object.freeze({ readyMs: 1500, peakMiB: 160, drainShare: 0.5 });

function logEntry(jobId) {
  return Buffer.from(
    JSON.stringify({
      logName: `projects/${project}/logs/aiplatform.googleapis.com%2Fpipeline_job_events`,
      resource: {
        type: 'aiplatform.googleapis.com/PipelineJob',
        labels: { pipeline_job_id: jobId, location, resource_container: project },
      },
      jsonPayload: {
        state: 'PIPELINE_STATE_SUCCEEDED',
        '@type': 'type.googleapis.com/google.cloud.aiplatform.logging.PipelineJobLogEntry',
      },
      severity: 'INFO',
      timestamp: new Date(1_700_000_060_000).toISOString(),
    }),
  );
}

async function publishAll(topic, prefix) {
  await Promise.all(Array.from({ length: count }, (_, index) => topic.publishMessage({ data: logEntry(`${prefix}-${index}`) })));
}

async function startReceiver() {
  const { child, url, ask } = await startWebhookReceiver({ WEBHOOK_LATENCY_MS: String(webhookLatencyMs), WEBHOOK_COUNT_RUN_IDS: '1' });
  return {
    url,
    received: async () => (await ask('count')).count,
    reset: () => child.send('reset'),
    stop: () => stopChild(child),
  };
}

async function until(what, condition) {
  const deadline = performance.now() + drainTimeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`${what} not done within ${drainTimeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A fresh topic and subscription, deleted by the returned function. */
async function freshSubscription(pubsub, name) {
  const [topic] = await pubsub.createTopic(name);
  const [subscription] = await topic.createSubscription(`${name}-sub`);
  return {
    topic,
    subscriptionName: `${name}-sub`,
    subscription,
    remove: async () => {
      await subscription.delete().catch(() => undefined);
      await topic.delete().catch(() => undefined);
    },
  };
}

/** Messages per second when the client only acks: the ceiling the service is compared with. */
async function rawDrain(pubsub, name) {
  const fresh = await freshSubscription(pubsub, name);
  const seen = new Set();
  fresh.subscription.on('message', (message) => {
    seen.add(message.id);
    message.ack();
  });
  fresh.subscription.on('error', () => undefined);
  try {
    const started = performance.now();
    await publishAll(fresh.topic, name);
    await until('raw drain', () => seen.size >= count);
    return count / ((performance.now() - started) / 1000);
  } finally {
    await fresh.subscription.close();
    await fresh.remove();
  }
}

/** One fresh service process: ready time, idle RSS, then peak RSS and rate while `count` events flow. */
async function serviceRun(pubsub, emulatorHost, vertex, receiver, name) {
  const fresh = await freshSubscription(pubsub, name);
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    NODE_OPTIONS: imageNodeOptions(),
    SERVER_PORT: String(port),
    METRICS_PORT: String(await freePort()),
    LOG_LEVEL: 'error',
    PROVIDER_TYPE: 'vai',
    PROVIDERNAME: 'bench/vai',
    PIPELINEROOTSTORAGE: 'gs://bench-pipeline-root',
    PARAMETERS_VAIPROJECT: project,
    PARAMETERS_VAILOCATION: location,
    PARAMETERS_PIPELINEBUCKET: 'bench-pipelines',
    PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION: fresh.subscriptionName,
    PARAMETERS_VAIENDPOINT: vertex.endpoint,
    // Never called while only events flow; a closed port makes any stray call fail fast.
    PARAMETERS_GCSENDPOINT: 'http://127.0.0.1:1',
    PUBSUB_EMULATOR_HOST: emulatorHost,
    OPERATORWEBHOOK: receiver.url,
    ...(eventsConcurrency ? { EVENTS_CONCURRENCY: eventsConcurrency } : {}),
  };
  receiver.reset();
  const { child, startedAt } = startNode(serviceScript, env);
  let sampler;
  try {
    const readyMs = await waitFor2xx(`http://127.0.0.1:${port}/readyz`, startedAt, 30_000, child);
    const idleMiB = rssMiB(child.pid);
    let peakMiB = idleMiB;
    sampler = setInterval(() => {
      try {
        peakMiB = Math.max(peakMiB, rssMiB(child.pid));
      } catch {
        // The process has exited; the drain below reports it.
      }
    }, sampleEveryMs);
    const started = performance.now();
    await publishAll(fresh.topic, name);
    await until('service drain', async () => {
      if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
      return (await receiver.received()) >= count;
    });
    const seconds = (performance.now() - started) / 1000;
    peakMiB = Math.max(peakMiB, rssMiB(child.pid));
    return { readyMs, idleMiB, peakMiB, rate: count / seconds };
  } finally {
    clearInterval(sampler);
    await stopChild(child);
    await fresh.remove();
  }
}

function verdict(met) {
  return met ? 'met' : 'MISSED';
}

/**
 * Runs the vai benchmark. `local` is the local provider's result from startup.mjs's `measure`
 * in the same run; measured here when not given.
 */
export async function main(local) {
  const localResult = local ?? (await measure(targets.find((target) => target.name === 'service (local)')));
  const stops = [];
  // A Ctrl-C must not leave the emulator's Java server behind: it runs in its own process group.
  const interrupted = () => {
    Promise.allSettled(stops.map((stop) => stop())).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  try {
    const emulator = await startPubSubEmulator(project);
    stops.unshift(emulator.stop);
    const vertex = await startFakeVertexServer();
    stops.unshift(vertex.stop);
    const receiver = await startReceiver();
    stops.unshift(receiver.stop);
    const pubsub = new PubSub({ projectId: project, apiEndpoint: emulator.host, emulatorMode: true, universeDomain: 'googleapis.com' });
    stops.unshift(() => pubsub.close());

    // The emulator is a JVM: one unmeasured drain first, so neither side pays its warm-up.
    await rawDrain(pubsub, 'bench-warmup');
    const drainRates = [];
    for (let run = 0; run < runs; run += 1) drainRates.push(await rawDrain(pubsub, `bench-raw-${run}`));
    const results = [];
    for (let run = 0; run < runs; run += 1) results.push(await serviceRun(pubsub, emulator.host, vertex, receiver, `bench-vai-${run}`));

    const vai = {
      readyMs: median(results.map((result) => result.readyMs)),
      idleMiB: median(results.map((result) => result.idleMiB)),
      peakMiB: Math.max(...results.map((result) => result.peakMiB)),
      rate: median(results.map((result) => result.rate)),
    };
    const drainRate = median(drainRates);
    console.log(
      `\nvai: ${runs} fresh processes; ${count} Cloud Logging entries each through the Pub/Sub emulator, a fake Vertex AI gRPC server ` +
        `(${vertex.calls()} GetPipelineJob calls in all) and a webhook receiver answering after ${webhookLatencyMs} ms; ` +
        `events concurrency ${eventsConcurrency ?? 'service default'}. Medians, except peak RSS: the largest, sampled every ${sampleEveryMs} ms`,
    );
    const widths = [30, 12, 14, 16, 10];
    row(['target', 'ready (ms)', 'idle RSS MiB', 'peak RSS MiB', 'events/s'], widths);
    row(
      [
        'service (local)',
        localResult.readyMs.toFixed(0),
        localResult.idleMiB.toFixed(1),
        `${localResult.loadedMiB.toFixed(1)} (HTTP)`,
        '—',
      ],
      widths,
    );
    row(['service (vai)', vai.readyMs.toFixed(0), vai.idleMiB.toFixed(1), vai.peakMiB.toFixed(1), vai.rate.toFixed(0)], widths);
    row(['raw Pub/Sub drain (ack only)', '—', '—', '—', drainRate.toFixed(0)], widths);
    const share = vai.rate / drainRate;
    console.log(
      `targets (vai): ready ≤ ${targetsVai.readyMs} ms → ${vai.readyMs.toFixed(0)} ms ${verdict(vai.readyMs <= targetsVai.readyMs)}; ` +
        `RSS ≤ ${targetsVai.peakMiB} MiB at peak → ${vai.peakMiB.toFixed(1)} MiB ${verdict(vai.peakMiB <= targetsVai.peakMiB)}; ` +
        `throughput ≥ ${targetsVai.drainShare * 100}% of the raw drain → ${(share * 100).toFixed(0)}% ${verdict(share >= targetsVai.drainShare)}`,
    );
    return { local: localResult, vai, drainRate };
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    process.off('SIGINT', interrupted);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
