// Memory and probe latency while the service takes one hostile or realistic request body: a
// fresh dist/main.js per body (local provider, the image's NODE_OPTIONS), its RSS sampled from
// /proc every few milliseconds, and /livez polled on its own connection the whole time, so the
// longest /livez answer is the longest the event loop was blocked.
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { realisticCompiledPipeline } from './fixtures/compiled-pipeline.mjs';
import { freePort, imageNodeOptions, percentile, row, rssMiB, startNode, stopChild, waitFor2xx } from './support.mjs';

const serviceScript = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const mib = 1024 * 1024;

function pipelineBody(compiledPipelineText) {
  return Buffer.from(`{"pipelineDefinition":{"name":"bench/hostile","version":"v1"},"compiledPipeline":${compiledPipelineText}}`);
}

function manyKeys(count) {
  const parts = [];
  for (let index = 0; index < count; index += 1) parts.push(`"k${String(index).padStart(7, '0')}":${index}`);
  return `{${parts.join(',')}}`;
}

/** The bodies measured: name and how to build it (built before the service starts). */
export const bodies = [
  { name: '10⁶ keys (16 MiB)', build: () => pipelineBody(manyKeys(1_000_000)) },
  { name: '10⁶ empty objects', build: () => pipelineBody(`[${Array(1_000_000).fill('{}').join(',')}]`) },
  { name: 'nested 10⁵ deep', build: () => pipelineBody(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) },
  { name: 'nested 10⁶ deep', build: () => pipelineBody(`${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`) },
  { name: 'string 30 MiB ASCII', build: () => pipelineBody(JSON.stringify('a'.repeat(30 * mib))) },
  // One character beyond Latin-1 makes V8 hold the whole text in two bytes a character.
  { name: 'string 30 MiB + one ā', build: () => pipelineBody(JSON.stringify(`${'a'.repeat(30 * mib)}ā`)) },
  { name: 'realistic 5 MB pipeline', build: () => pipelineBody(JSON.stringify(realisticCompiledPipeline(5_000_000))) },
  // The worst shapes the default limits accept: just under 200,000 values, or a 15 MiB text that
  // V8 holds in two bytes a character, and four uploads of 20 MiB at once.
  { name: '99,990 keys (limit)', build: () => pipelineBody(manyKeys(99_990)) },
  { name: '199,990 empty objects', build: () => pipelineBody(`[${Array(199_990).fill('{}').join(',')}]`) },
  { name: 'string 15 MiB + one ā', build: () => pipelineBody(JSON.stringify(`${'a'.repeat(15 * mib)}ā`)) },
  { name: '4 × string 20 MiB at once', build: () => pipelineBody(JSON.stringify('a'.repeat(20 * mib))), copies: 4 },
];

function send(port, agent, method, path, body) {
  return new Promise((resolve) => {
    const started = performance.now();
    const outgoing = request({ host: '127.0.0.1', port, method, path, agent, headers: body ? { 'content-type': 'application/json' } : {} });
    outgoing.on('response', (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode, ms: performance.now() - started, text: Buffer.concat(chunks).toString() }),
      );
    });
    outgoing.on('error', (error) => resolve({ status: error.code, ms: performance.now() - started, text: '' }));
    outgoing.end(body);
  });
}

/** Sends `body` (`copies` times at once) to a fresh service while sampling its RSS and polling /livez. */
export async function measureBody(body, copies = 1, env = {}) {
  const port = await freePort();
  const metricsPort = await freePort();
  const { child, startedAt } = startNode(serviceScript, {
    PATH: process.env.PATH,
    NODE_OPTIONS: imageNodeOptions(),
    SERVER_HOST: '127.0.0.1',
    SERVER_PORT: String(port),
    METRICS_PORT: String(metricsPort),
    LOG_LEVEL: 'error',
    ...env,
  });
  const probes = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await waitFor2xx(`http://127.0.0.1:${port}/livez`, startedAt, 30_000, child);
    const idle = rssMiB(child.pid);
    let peak = idle;
    const sampler = setInterval(() => {
      if (child.exitCode === null) peak = Math.max(peak, rssMiB(child.pid));
    }, 5);
    const latencies = [];
    let polling = true;
    const poller = (async () => {
      while (polling && child.exitCode === null) {
        const answer = await send(port, probes, 'GET', '/livez');
        if (answer.status === 200) latencies.push(answer.ms);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const answers = await Promise.all(Array.from({ length: copies }, () => send(port, false, 'POST', '/resource/pipeline', body)));
    const answer =
      answers.find((each) => each.status !== 201) ?? answers.reduce((slowest, each) => (each.ms > slowest.ms ? each : slowest));
    await new Promise((resolve) => setTimeout(resolve, 500));
    polling = false;
    await poller;
    clearInterval(sampler);
    const survived = child.exitCode === null && child.signalCode === null;
    return {
      status: answer.status,
      requestMs: answer.ms,
      error: answer.status === 201 ? '' : answer.text.slice(0, 80),
      idleMiB: idle,
      peakMiB: peak,
      p99Ms: latencies.length ? percentile(latencies, 99) : Number.NaN,
      maxMs: latencies.length ? Math.max(...latencies) : Number.NaN,
      survived,
    };
  } finally {
    probes.destroy();
    await stopChild(child);
  }
}

export async function main() {
  console.log(`\nhostile bodies: POST /resource/pipeline to a fresh local service (NODE_OPTIONS="${imageNodeOptions()}")`);
  const widths = [26, 10, 8, 8, 10, 10, 10, 10, 30];
  row(['body', 'size MiB', 'status', 'ms', 'idle MiB', 'peak MiB', 'livez p99', 'livez max', 'alive / answer'], widths);
  const results = [];
  for (const { name, build, copies } of bodies) {
    const body = build();
    const result = await measureBody(body, copies);
    results.push({ name, ...result });
    row(
      [
        name,
        (body.length / mib).toFixed(1),
        result.status,
        result.requestMs.toFixed(0),
        result.idleMiB.toFixed(0),
        result.peakMiB.toFixed(0),
        result.p99Ms.toFixed(0),
        result.maxMs.toFixed(0),
        `${result.survived ? 'alive' : 'DIED'} ${result.error}`,
      ],
      widths,
    );
  }
  const worst = Math.max(...results.map((result) => result.peakMiB));
  console.log(
    `target: every body answered, peak RSS < 256 MiB → worst ${worst.toFixed(0)} MiB ${worst < 256 && results.every((r) => r.survived) ? 'met' : 'MISSED'}`,
  );
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
