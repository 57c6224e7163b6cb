// The Vertex AI (`vai`) event path end to end, next to its floors, in one run: dist/main.js, and
// two minimal consumers doing the same work (bench/fixtures/vertex-floor-sdk.mjs with the
// official SDK, bench/fixtures/vertex-floor-grpc.mjs with plain grpc-js), each draining a backlog
// of Cloud Logging entries from the real Pub/Sub emulator: per message GetPipelineJob on a fake
// Vertex AI gRPC server, a POST to a webhook receiver in its own process, an ack. Rounds are
// interleaved (floor a, floor b, service, floor a, …) and medians printed, since the machine
// is shared and noisy. Start-up and readiness are bench/startup.mjs's.
// For trying settings: BENCH_VAI_ROUNDS, BENCH_VAI_EVENTS (the rate backlog),
// BENCH_VAI_EVENTS_CONCURRENCY, BENCH_VAI_NODE_OPTIONS (instead of the image's, for every
// consumer); BENCH_VAI_PROBE=kind:count,… (kinds sdk, grpc, service) only drains those backlogs and
// prints each result; BENCH_VAI_PROGRESS=1 prints the receiver's counts every 2 s.
import { fileURLToPath } from 'node:url';
import { startFakeVertexServer } from './fixtures/fake-vertex-server.mjs';
import { emulatorClient, startPubSubEmulator } from './support-pubsub.mjs';
import { freePort, imageNodeOptions, median, peakRssMiB, row, rssMiB, startNode, startWebhookReceiver, stopChild } from './support.mjs';

const rounds = Number(process.env.BENCH_VAI_ROUNDS ?? 5);
const rateBacklog = Number(process.env.BENCH_VAI_EVENTS ?? 4000);
const rssBacklog = 10_000;
const flatBacklogs = [1000, rssBacklog, 50_000];
// The emulator redelivers a large backlog over and over to any consumer (see `backlog`), so the
// largest one is watched until this many distinct events arrived: enough to reach a steady state.
const flatWatched = 20_000;
const rssRounds = 2;
// The service's defaults (src/config/config-defaults.ts, src/adapters/vertex/vertex-module.ts),
// so that the floors consume with the same options: concurrency, streams, flow control.
const serviceDefaults = Object.freeze({ concurrency: 8, streams: 1, maxMessages: 8 * 32 + 1000 });
const concurrency = Number(process.env.BENCH_VAI_EVENTS_CONCURRENCY ?? serviceDefaults.concurrency);
const sampleEveryMs = 50;
const drainTimeoutMs = 180_000;
const project = 'bench-project';
const location = 'europe-west2';
const scripts = Object.freeze({
  service: fileURLToPath(new URL('../dist/main.js', import.meta.url)),
  sdk: fileURLToPath(new URL('./fixtures/vertex-floor-sdk.mjs', import.meta.url)),
  grpc: fileURLToPath(new URL('./fixtures/vertex-floor-grpc.mjs', import.meta.url)),
});
const labels = Object.freeze({ sdk: 'floor (a) official SDK', grpc: 'floor (b) plain grpc-js', service: 'service (vai)' });
const goals = Object.freeze({ overSdk: 1.1, overGrpc: 0.95, smallestOverGrpc: 0.85, peakMiB: 160, flatGrowth: 0.05 });

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

/** A fresh topic and subscription holding `count` published entries; `remove()` deletes both. */
async function backlog(pubsub, name, count) {
  const [topic] = await pubsub.createTopic(name);
  // The emulator hands a stream more than its flow control asks for and starts the ack deadline
  // of what waits in its send buffer too: at the default 10 s, a 50k backlog drained at 2,000/s
  // turned into a redelivery storm for every consumer, floors included. 60 s is what a Cloud
  // Logging sink's subscription is commonly given.
  const [subscription] = await topic.createSubscription(`${name}-sub`, { ackDeadlineSeconds: 60 });
  for (let from = 0; from < count; from += 5000) {
    const to = Math.min(count, from + 5000);
    await Promise.all(Array.from({ length: to - from }, (_, index) => topic.publishMessage({ data: logEntry(`${name}-${from + index}`) })));
  }
  return {
    subscriptionName: `${name}-sub`,
    remove: async () => {
      await subscription.delete().catch(() => undefined);
      await topic.delete().catch(() => undefined);
    },
  };
}

async function consumerEnv(kind, context, subscriptionName) {
  const common = {
    PATH: process.env.PATH,
    NODE_OPTIONS: process.env.BENCH_VAI_NODE_OPTIONS ?? imageNodeOptions(),
    PUBSUB_EMULATOR_HOST: context.emulatorHost,
  };
  if (kind !== 'service') {
    return {
      ...common,
      FLOOR_PROJECT: project,
      FLOOR_SUBSCRIPTION: subscriptionName,
      FLOOR_VERTEX: context.vertex.endpoint.replace('http://', ''),
      FLOOR_WEBHOOK: context.receiver.url,
      FLOOR_CONCURRENCY: String(concurrency),
      FLOOR_STREAMS: String(serviceDefaults.streams),
      FLOOR_MAX_MESSAGES: String(serviceDefaults.maxMessages),
      ...(process.env.FLOOR_DEBUG ? { FLOOR_DEBUG: '1' } : {}),
    };
  }
  return {
    ...common,
    SERVER_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
    LOG_LEVEL: 'error',
    PROVIDER_TYPE: 'vai',
    PROVIDERNAME: 'bench/vai',
    PIPELINEROOTSTORAGE: 'gs://bench-pipeline-root',
    PARAMETERS_VAIPROJECT: project,
    PARAMETERS_VAILOCATION: location,
    PARAMETERS_PIPELINEBUCKET: 'bench-pipelines',
    PARAMETERS_EVENTSOURCEPIPELINEEVENTSSUBSCRIPTION: subscriptionName,
    PARAMETERS_VAIENDPOINT: context.vertex.endpoint,
    // Never called while only events flow; a closed port makes any stray call fail fast.
    PARAMETERS_GCSENDPOINT: 'http://127.0.0.1:1',
    OPERATORWEBHOOK: context.receiver.url,
    EVENTS_CONCURRENCY: String(concurrency),
  };
}

/**
 * One consumer process draining a fresh backlog of `count` entries. The rate runs from the first
 * event at the receiver to the last new run id there, so that start-up (the start-up bench's
 * subject) counts for nobody; the peak RSS is the largest of the /proc samples and VmHWM.
 */
async function drain(context, kind, count, name, watched = count) {
  const fresh = await backlog(context.pubsub, name, count);
  context.receiver.reset();
  const { child } = startNode(scripts[kind], await consumerEnv(kind, context, fresh.subscriptionName));
  let peakMiB = 0;
  const sampler = setInterval(() => {
    try {
      peakMiB = Math.max(peakMiB, rssMiB(child.pid));
    } catch {
      // The process has exited; the wait below reports it.
    }
  }, sampleEveryMs);
  try {
    const deadline = performance.now() + drainTimeoutMs;
    let state;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${labels[kind]} exited with ${child.exitCode}`);
      state = await context.receiver.state();
      if (state.count >= watched) break;
      if (process.env.BENCH_VAI_PROGRESS) console.log(`${labels[kind]} ${count}: ${state.count} (${state.received} received)`);
      if (performance.now() > deadline) throw new Error(`${labels[kind]} drained ${state.count}/${watched} in ${drainTimeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, process.env.BENCH_VAI_PROGRESS ? 2000 : 20));
    }
    peakMiB = Math.max(peakMiB, peakRssMiB(child.pid));
    return { rate: (state.count - 1) / ((state.lastNewAt - state.firstAt) / 1000), peakMiB };
  } finally {
    clearInterval(sampler);
    await stopChild(child);
    await fresh.remove();
  }
}

function verdict(met) {
  return met ? 'met' : 'MISSED';
}

async function startReceiver() {
  const { child, url, ask } = await startWebhookReceiver({ WEBHOOK_COUNT_RUN_IDS: '1' });
  return { url, state: () => ask('count'), reset: () => child.send('reset'), stop: () => stopChild(child) };
}

/** Runs the Vertex event benchmark; resolves to its medians and ratios. */
export async function main() {
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
    const pubsub = emulatorClient(project, emulator.host);
    stops.unshift(() => pubsub.close());
    const context = { pubsub, emulatorHost: emulator.host, vertex, receiver };

    if (process.env.BENCH_VAI_PROBE) {
      for (const probe of process.env.BENCH_VAI_PROBE.split(',')) {
        const [kind, count] = probe.split(':');
        console.log(probe, await drain(context, kind, Number(count), `bench-probe-${kind}-${count}`));
      }
      return undefined;
    }
    // The emulator is a JVM: one unmeasured drain first, so that no measured side pays its warm-up.
    await drain(context, 'grpc', 2000, 'bench-warmup');
    const rates = { sdk: [], grpc: [], service: [] };
    for (let round = 0; round < rounds; round += 1) {
      for (const kind of ['sdk', 'grpc', 'service'])
        rates[kind].push((await drain(context, kind, rateBacklog, `bench-${kind}-${round}`)).rate);
    }
    const peaks = { sdk: [], service: [] };
    for (let round = 0; round < rssRounds; round += 1) {
      for (const kind of ['sdk', 'service'])
        peaks[kind].push((await drain(context, kind, rssBacklog, `bench-rss-${kind}-${round}`)).peakMiB);
    }
    const flat = new Map([[rssBacklog, Math.max(...peaks.service)]]);
    for (const count of flatBacklogs.filter((count) => !flat.has(count))) {
      flat.set(count, (await drain(context, 'service', count, `bench-flat-${count}`, Math.min(count, flatWatched))).peakMiB);
    }

    const medians = Object.fromEntries(Object.entries(rates).map(([kind, values]) => [kind, median(values)]));
    const overSdk = medians.service / medians.sdk;
    const overGrpc = medians.service / medians.grpc;
    const roundsOverGrpc = rates.service.map((rate, round) => rate / rates.grpc[round]);
    const smallestOverGrpc = Math.min(...roundsOverGrpc);
    console.log(
      `\nvai events: ${rounds} interleaved rounds of a ${rateBacklog}-entry backlog each, published before the consumer starts; ` +
        `rate from the first event at the webhook receiver to the last distinct run id; concurrency ${concurrency}, ` +
        `${serviceDefaults.streams} streaming pull(s), the image's NODE_OPTIONS; ${vertex.calls()} GetPipelineJob calls in all`,
    );
    const widths = [26, 12, 44];
    row(['consumer', 'events/s', 'rounds'], widths);
    for (const kind of ['sdk', 'grpc', 'service']) {
      row([labels[kind], medians[kind].toFixed(0), rates[kind].map((rate) => rate.toFixed(0)).join(' ')], widths);
    }
    console.log(
      `ratios: service/(a) ${overSdk.toFixed(2)} (goal ≥ ${goals.overSdk}) ${verdict(overSdk >= goals.overSdk)}; ` +
        `service/(b) median ${overGrpc.toFixed(2)} (goal ≥ ${goals.overGrpc}) ${verdict(overGrpc >= goals.overGrpc)}, ` +
        `smallest round ${smallestOverGrpc.toFixed(2)} (goal ≥ ${goals.smallestOverGrpc}) ${verdict(smallestOverGrpc >= goals.smallestOverGrpc)}`,
    );
    const peakService = Math.max(...peaks.service);
    const peakSdk = Math.max(...peaks.sdk);
    console.log(
      `peak RSS, ${rssBacklog}-entry backlog (largest of ${rssRounds} rounds): service ${peakService.toFixed(1)} MiB ` +
        `(goal ≤ ${goals.peakMiB}) ${verdict(peakService <= goals.peakMiB)}; floor (a) ${peakSdk.toFixed(1)} MiB; ` +
        `service/(a) ${(peakService / peakSdk).toFixed(2)}`,
    );
    const smallest = flat.get(flatBacklogs[0]);
    const largest = Math.max(...flat.values());
    const growth = largest / smallest - 1;
    console.log(
      `service peak RSS by backlog: ${flatBacklogs.map((count) => `${count}: ${flat.get(count).toFixed(1)} MiB`).join(', ')}; ` +
        `(the ${flatBacklogs.at(-1)}-entry one watched for its first ${flatWatched} events); flat = no backlog's peak more than ${goals.flatGrowth * 100}% above the ${flatBacklogs[0]}-entry one → ` +
        `+${(growth * 100).toFixed(1)}% ${verdict(growth <= goals.flatGrowth)}`,
    );
    return { medians, overSdk, overGrpc, smallestOverGrpc, peakService, peakSdk, flat: Object.fromEntries(flat) };
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
    process.off('SIGINT', interrupted);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
