// Heap retained per finished local run: N runs through the local provider, the event pipeline
// and a sink that takes every event, with a forced GC before and after. Run it on the built
// library with the GC exposed:
//   npm run build && node --expose-gc bench/local-run-heap.mjs
// BENCH_RUNS sets N (default 20000); BENCH_STATE_FILE runs the local module on a state file
// instead of in memory.
import { setImmediate } from 'node:timers';
import { createProviderService } from '../dist/index.js';

const pipelineBody = {
  pipelineDefinition: { name: 'bench/pipe', version: '1', image: 'img', env: [], framework: { name: 'tfx', parameters: {} } },
  compiledPipeline: {},
};
const runBody = {
  name: 'bench/run',
  version: '1',
  pipelineName: 'bench/pipe',
  pipelineVersion: '1',
  runConfigurationName: 'bench/rc',
  experimentName: '',
  parameters: { learningRate: '0.1' },
  artifacts: [{ name: 'model', path: 'Trainer:model' }],
};

const runs = Number(process.env.BENCH_RUNS ?? 20_000);
const batch = 200;

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

async function settledHeap() {
  for (let i = 0; i < 3; i += 1) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

let delivered = 0;
const sink = { deliver: async () => ((delivered += 1), { kind: 'delivered' }) };
const service = createProviderService({
  provider: 'local',
  sink,
  config: {
    PARAMETERS_RUNDURATIONMS: '0',
    EVENTS_CONCURRENCY: '64',
    ...(process.env.BENCH_STATE_FILE ? { PARAMETERS_STATEFILE: process.env.BENCH_STATE_FILE } : {}),
  },
});
await service.start();
const post = async (type, body) => {
  const answer = await fetch(`${service.url}/resource/${type}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (answer.status !== 201) throw new Error(`${type}: ${answer.status} ${await answer.text()}`);
};
await post('pipeline', pipelineBody);

async function runMany(count) {
  const target = delivered + count;
  for (let sent = 0; sent < count; sent += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, count - sent) }, () => post('run', runBody)));
  }
  while (delivered < target) await new Promise((resolve) => setTimeout(resolve, 10));
}

// A warm-up lets lazily built state (JIT, caches, pools) settle before the baseline.
await runMany(2000);
const before = await settledHeap();
const startedAt = performance.now();
await runMany(runs);
const seconds = (performance.now() - startedAt) / 1000;
const after = await settledHeap();
await service.stop();

const perRun = (after - before) / runs;
console.log(
  `${runs} local runs (${process.env.BENCH_STATE_FILE ? 'state file' : 'in memory'}) in ${seconds.toFixed(1)} s: ` +
    `heap after GC ${(before / 2 ** 20).toFixed(1)} MiB -> ${(after / 2 ** 20).toFixed(1)} MiB, ${perRun.toFixed(1)} bytes retained per run`,
);
