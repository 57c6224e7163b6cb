// Event throughput: 5,000 run completions from an in-memory source through the event pipeline
// to a webhook receiver in another process, next to a plain loop that POSTs the same events one
// at a time (the sequential design of the Go service), measured in the same run.
import { fileURLToPath } from 'node:url';
import { EventPipeline } from '../dist/application/event-pipeline.js';
import { RunEventAttempt } from '../dist/application/run-event-attempt.js';
import { InMemoryRunEventSource } from '../dist/adapters/memory/in-memory-run-event-source.js';
import { LocalRunEventNormaliser } from '../dist/adapters/local/local-run-event-normaliser.js';
import { silentLogger } from '../dist/adapters/logging/silent-logger.js';
import { WebhookRunCompletionSink } from '../dist/adapters/operator/webhook-run-completion-sink.js';
import { percentile, row, startWebhookReceiver } from './support.mjs';

const count = Number(process.env.BENCH_EVENTS ?? 5000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const webhookLatencyMs = Number(process.env.BENCH_WEBHOOK_LATENCY_MS ?? 5);

function event(index) {
  return {
    status: index % 7 === 0 ? 'failed' : 'succeeded',
    pipelineName: { namespace: 'bench', name: 'pipeline' },
    runConfigurationName: { namespace: 'bench', name: 'daily' },
    runName: { namespace: 'bench', name: `run-${index}` },
    runId: `run-${index}`,
    runStartTime: new Date(1_700_000_000_000),
    runEndTime: new Date(1_700_000_060_000),
    pipelineComponents: [
      {
        name: 'Trainer',
        componentArtifacts: [{ name: 'model', artifacts: [{ uri: `gs://bench/run-${index}/model`, metadata: { accuracy: 0.9 } }] }],
      },
    ],
    provider: { namespace: 'bench', name: 'provider' },
  };
}

// The baseline uses the same sink, so the two paths differ only in design, not in HTTP client.
async function sequential(url) {
  const sink = new WebhookRunCompletionSink({ url, timeoutMs: 10_000 });
  const latencies = [];
  const started = performance.now();
  for (let index = 0; index < count; index += 1) {
    const sent = performance.now();
    const outcome = await sink.deliver(event(index));
    if (outcome.kind !== 'delivered') throw new Error(`baseline delivery failed: ${outcome.reason}`);
    latencies.push(performance.now() - sent);
  }
  return { seconds: (performance.now() - started) / 1000, latencies };
}

async function throughPipeline(url) {
  const source = new InMemoryRunEventSource();
  const pulledAt = new Map();
  const latencies = [];
  // Counted here rather than read from the source, which remembers only its latest settled ids.
  let allAcked;
  const acked = new Promise((resolve) => {
    allAcked = resolve;
  });
  // Time each message from the moment the pipeline pulls it to its acknowledgement: the
  // pipeline's own cost per event, without the time spent queued behind the others.
  const timedSource = {
    start: () => source.start(),
    stop: () => source.stop(),
    async *messages() {
      for await (const message of source.messages()) {
        pulledAt.set(message.id, performance.now());
        yield {
          ...message,
          ack: async () => {
            latencies.push(performance.now() - pulledAt.get(message.id));
            await message.ack();
            if (latencies.length === count) allAcked();
          },
        };
      }
    },
  };
  const metrics = { countSendResult() {}, setInFlight() {}, setAwaitingRetry() {}, observeSettleLatency() {} };
  const processor = new RunEventAttempt({
    normaliser: new LocalRunEventNormaliser(),
    sink: new WebhookRunCompletionSink({ url, timeoutMs: 10_000 }),
    metrics,
    logger: silentLogger,
  });
  const pipeline = new EventPipeline(
    { source: timedSource, processor, metrics, logger: silentLogger, clock: { now: () => new Date() } },
    { concurrency, maxAgeMs: 60_000, retryInitialMs: 10, retryMaxMs: 100 },
  );
  const started = performance.now();
  for (let index = 0; index < count; index += 1) source.publish(event(index));
  await pipeline.start();
  // A pipeline that stops acknowledging fails the benchmark instead of leaving it waiting.
  const limitMs = Math.max(60_000, count * 20);
  let timer;
  const stalled = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`only ${latencies.length} of ${count} events acknowledged after ${limitMs} ms`)), limitMs);
  });
  await Promise.race([acked, stalled]).finally(() => clearTimeout(timer));
  const seconds = (performance.now() - started) / 1000;
  await pipeline.stop(1000);
  return { seconds, latencies };
}

export async function main() {
  const receiver = await startWebhookReceiver({ WEBHOOK_LATENCY_MS: String(webhookLatencyMs) });
  try {
    // Warm up connections and JIT on both paths before measuring.
    await fetch(receiver.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.arrayBuffer());
    const plain = await sequential(receiver.url);
    const piped = await throughPipeline(receiver.url);
    const plainRate = count / plain.seconds;
    const pipedRate = count / piped.seconds;
    console.log(
      `\nevents: ${count} run completions to a webhook receiver in another process answering after ${webhookLatencyMs} ms (pipeline concurrency ${concurrency})`,
    );
    const widths = [28, 12, 10, 16];
    row(['path', 'events/s', '× plain', 'p99 latency ms'], widths);
    row(['plain sequential POST loop', plainRate.toFixed(0), '1.00', percentile(plain.latencies, 99).toFixed(2)], widths);
    row(
      [
        `event pipeline (c=${concurrency})`,
        pipedRate.toFixed(0),
        (pipedRate / plainRate).toFixed(2),
        percentile(piped.latencies, 99).toFixed(2),
      ],
      widths,
    );
    const added = percentile(piped.latencies, 99) - percentile(plain.latencies, 99);
    console.log(`p99 added latency per event (pipeline pull→ack minus a bare POST): ${added.toFixed(2)} ms`);
    console.log(
      `target: ≥ 5× the sequential rate → ${(pipedRate / plainRate).toFixed(2)}× ${pipedRate >= 5 * plainRate ? 'met' : 'MISSED'}`,
    );
  } finally {
    receiver.child.kill();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
