// The HTTP path against its floors: POST /resource/run and POST /resource/pipeline (a compiled
// pipeline of 196 KiB) with 16 keep-alive connections from a load generator in its own process,
// answered by a bare node:http server, a bare Koa + @koa/router app (the goal's floor), Koa doing
// the local provider's work with the least code (bench/fixtures/koa-local-runs.mjs) and the service
// (local provider, LOG_LEVEL=info, each log drained from a pipe as a container runtime does). Every
// target is a fresh process with the image's NODE_OPTIONS; rounds are interleaved and the
// figures are medians, so a noisy neighbour shifts floor and service alike.
import { fileURLToPath } from 'node:url';
import { realisticCompiledPipeline } from './fixtures/compiled-pipeline.mjs';
import { cpuSeconds, freePort, imageNodeOptions, median, row, startNode, stopChild, waitFor2xx } from './support.mjs';
import { startLoadGenerator } from './support-load.mjs';

const rounds = Number(process.env.BENCH_HTTP_ROUNDS ?? 5);
const roundSeconds = Number(process.env.BENCH_HTTP_SECONDS ?? 3);
const connections = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 16);
const logLevel = process.env.BENCH_HTTP_LOG_LEVEL ?? 'info';
// Short runs, so that the completion of every run accepted in a round (its timer, its event,
// its log lines) is paid within that round rather than during the next target's.
const runDurationMs = Number(process.env.BENCH_HTTP_RUN_DURATION_MS ?? 50);
const pipelineBodyBytes = 196 * 1024;

const script = (path) => fileURLToPath(new URL(path, import.meta.url));

const targets = [
  { name: 'bare node:http', script: script('./fixtures/bare-http-json-server.mjs'), env: {} },
  { name: 'bare Koa', script: script('./fixtures/bare-koa-server.mjs'), env: {} },
  // Not the goal's floor: what the least code doing the local provider's work costs, so that the
  // service's own overhead can be told from the work itself.
  {
    name: 'Koa, same work',
    script: script('./fixtures/koa-local-runs.mjs'),
    env: { LOG_LEVEL: logLevel, PARAMETERS_RUNDURATIONMS: String(runDurationMs) },
  },
  {
    name: 'service (local)',
    script: script('../dist/main.js'),
    env: { PROVIDER_TYPE: 'local', LOG_LEVEL: logLevel, PARAMETERS_RUNDURATIONMS: String(runDurationMs) },
  },
];

const pipelineDefinition = {
  name: 'bench/pipeline',
  version: 'v1',
  image: 'registry.example/bench/pipeline:v1',
  env: [{ name: 'STAGE', value: 'bench' }],
  framework: { name: 'tfx', parameters: { components: 'bench.components.create', beamArgs: ['--runner=DirectRunner'] } },
};

function pipelineBody(bytes) {
  const envelope = JSON.stringify({ pipelineDefinition, compiledPipeline: {} }).length;
  return JSON.stringify({ pipelineDefinition, compiledPipeline: realisticCompiledPipeline(bytes - envelope) });
}

// A run as the operator sends it for a Run resource of a run configuration.
const runBody = JSON.stringify({
  name: 'bench/run-20240101-0001',
  version: 'v1',
  pipelineName: 'bench/pipeline',
  pipelineVersion: 'v1',
  runConfigurationName: 'bench/daily-training',
  experimentName: 'bench/experiment',
  parameters: { learningRate: '0.01', epochs: '20', dataset: 'gs://bench-data/training/2024-01-01' },
  artifacts: [
    { name: 'model', path: 'Trainer:model' },
    { name: 'metrics', path: 'Evaluator:evaluation' },
  ],
  triggerIndicator: { type: 'onChange-runConfiguration', source: 'daily-training', sourceNamespace: 'bench' },
});

const workloads = [
  { name: 'POST /resource/run', path: '/resource/run', body: runBody, goal: 0.8 },
  {
    name: `POST /resource/pipeline (${Math.round(pipelineBodyBytes / 1024)} KiB)`,
    path: '/resource/pipeline',
    body: pipelineBody(pipelineBodyBytes),
    goal: 0.9,
  },
];

async function start(target) {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    NODE_OPTIONS: imageNodeOptions(),
    SERVER_HOST: '127.0.0.1',
    SERVER_PORT: String(port),
    METRICS_PORT: String(await freePort()),
    ...target.env,
  };
  // The log is read from a pipe, as a container runtime reads it: writing it costs what it costs.
  const { child, startedAt } = startNode(target.script, env);
  await waitFor2xx(`http://127.0.0.1:${port}/readyz`, startedAt, 30_000, child);
  return { ...target, child, url: `http://127.0.0.1:${port}` };
}

async function post(url, body) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${text}`);
}

async function measureWorkload(workload, load) {
  const started = [];
  try {
    for (const target of targets) started.push(await start(target));
    // Runs need their pipeline in the service and in the same-work floor; the bare floors accept anything.
    for (const server of started) await post(`${server.url}/resource/pipeline`, workloads[1].body);
    const options = (server, seconds) => ({
      url: server.url + workload.path,
      body: workload.body,
      connections,
      seconds,
      expectStatus: 201,
    });
    for (const server of started) await load.run(options(server, 1));
    const rates = new Map(started.map((server) => [server.name, []]));
    const cpu = new Map(started.map((server) => [server.name, []]));
    for (let round = 0; round < rounds; round += 1) {
      for (const server of started) {
        const cpuBefore = cpuSeconds(server.child.pid);
        const result = await load.run(options(server, roundSeconds));
        if (result.failed > 0) throw new Error(`${server.name}: ${result.failed} requests of ${workload.name} failed`);
        // The pause lets the runs of the round finish, so their completions count in the round.
        await new Promise((resolve) => setTimeout(resolve, runDurationMs + 250));
        rates.get(server.name).push(result.answered / result.seconds);
        cpu.get(server.name).push(((cpuSeconds(server.child.pid) - cpuBefore) / result.answered) * 1e6);
      }
    }
    const medians = (values) => new Map([...values].map(([name, list]) => [name, median(list)]));
    return { workload, medians: medians(rates), rates, cpu: medians(cpu) };
  } finally {
    await Promise.all(started.map((server) => stopChild(server.child)));
  }
}

function report({ workload, medians, rates, cpu }) {
  const bareHttp = medians.get('bare node:http');
  const bareKoa = medians.get('bare Koa');
  const service = medians.get('service (local)');
  const sameWork = medians.get('Koa, same work');
  console.log(
    `\n${workload.name}: ${connections} keep-alive connections, ${rounds} interleaved rounds of ${roundSeconds} s, body ${workload.body.length} bytes`,
  );
  const widths = [18, 12, 12, 40];
  row(['target', 'requests/s', 'CPU µs/req', 'rounds (requests/s)'], widths);
  for (const [name, value] of medians) {
    row(
      [
        name,
        value.toFixed(0),
        cpu.get(name).toFixed(0),
        rates
          .get(name)
          .map((rate) => rate.toFixed(0))
          .join(' '),
      ],
      widths,
    );
  }
  const ratio = service / bareKoa;
  console.log(`service / bare Koa ${ratio.toFixed(2)}×, service / bare node:http ${(service / bareHttp).toFixed(2)}×`);
  console.log(
    `Koa doing the same work / bare Koa ${(sameWork / bareKoa).toFixed(2)}×; service / Koa doing the same work ${(service / sameWork).toFixed(2)}×`,
  );
  console.log(`goal: ≥ ${workload.goal.toFixed(2)}× bare Koa → ${ratio.toFixed(2)}× ${ratio >= workload.goal ? 'met' : 'MISSED'}`);
  return { name: workload.name, service, bareKoa, bareHttp, sameWork, ratio, goal: workload.goal, met: ratio >= workload.goal };
}

/** Runs both workloads against the floors and the service; resolves to one result per workload. */
export async function main() {
  const load = await startLoadGenerator();
  try {
    console.log(`\nHTTP path (service at LOG_LEVEL=${logLevel}, local runs of ${runDurationMs} ms)`);
    const results = [];
    // BENCH_HTTP_ONLY=run or =pipeline measures one workload.
    const only = process.env.BENCH_HTTP_ONLY;
    for (const workload of workloads.filter((candidate) => !only || candidate.path.endsWith(only)))
      results.push(report(await measureWorkload(workload, load)));
    return results;
  } finally {
    await load.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
