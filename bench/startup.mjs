// Start-up time and memory of the service next to a bare node:http server started the same way.
// Prints medians of several fresh processes and the ratios the targets are stated in.
import { fileURLToPath } from 'node:url';
import { freePort, imageNodeOptions, median, row, rssMiB, startNode, stopChild, waitFor2xx } from './support.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const requests = Number(process.env.BENCH_REQUESTS ?? 1000);
const serviceScript = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const bareScript = fileURLToPath(new URL('./fixtures/bare-server.mjs', import.meta.url));

/** Extra environments to measure besides the local provider, e.g. `vai` against local servers. */
export const targets = [
  { name: 'bare node:http', script: bareScript, env: {} },
  { name: 'service (local)', script: serviceScript, env: { PROVIDER_TYPE: 'local' } },
];

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

/** Measures one target: median ready time, median idle RSS and RSS after `requests` requests. */
export async function measure(target) {
  const readyTimes = [];
  const idle = [];
  const loaded = [];
  for (let run = 0; run < runs; run += 1) {
    const port = await freePort();
    const metricsPort = await freePort();
    // Every target, the bare baseline included, runs with the image's heap settings.
    const env = {
      PATH: process.env.PATH,
      NODE_OPTIONS: imageNodeOptions(),
      SERVER_PORT: String(port),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'error',
      ...target.env,
    };
    const { child, startedAt } = startNode(target.script, env);
    try {
      readyTimes.push(await waitFor2xx(`http://127.0.0.1:${port}/readyz`, startedAt, 30_000, child));
      idle.push(rssMiB(child.pid));
      await exercise(port);
      loaded.push(rssMiB(child.pid));
    } finally {
      await stopChild(child);
    }
  }
  return { name: target.name, readyMs: median(readyTimes), idleMiB: median(idle), loadedMiB: median(loaded) };
}

export async function main(extraTargets = []) {
  const results = [];
  for (const target of [...targets, ...extraTargets]) results.push(await measure(target));
  const [bare] = results;
  console.log(
    `\nstart-up: median of ${runs} fresh processes (NODE_OPTIONS="${imageNodeOptions()}", as in the image); RSS after ${requests} requests`,
  );
  const widths = [22, 14, 10, 14, 16];
  row(['target', 'ready (ms)', '× bare', 'idle RSS MiB', 'RSS after MiB'], widths);
  for (const result of results) {
    row(
      [
        result.name,
        result.readyMs.toFixed(0),
        (result.readyMs / bare.readyMs).toFixed(2),
        result.idleMiB.toFixed(1),
        result.loadedMiB.toFixed(1),
      ],
      widths,
    );
  }
  const local = results.find((result) => result.name === 'service (local)');
  console.log(
    `targets (local): ready ≤ 3× bare → ${(local.readyMs / bare.readyMs).toFixed(2)}× ${local.readyMs <= 3 * bare.readyMs ? 'met' : 'MISSED'}; ` +
      `RSS ≤ 100 MiB → ${local.loadedMiB.toFixed(1)} MiB ${local.loadedMiB <= 100 ? 'met' : 'MISSED'}`,
  );
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
