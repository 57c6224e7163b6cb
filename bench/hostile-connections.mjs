// Connections against a fresh dist/main.js (local provider, the image's NODE_OPTIONS):
// - /livez latency and RSS while 2,000 idle connections are held open;
// - SIGTERM while 50 keep-alive clients keep sending, counting resets (anything but an answer or a
//   refused connection), with the defaults outside a pod, and with the pod's default delay where
//   the clients stop opening connections to the pod one second after SIGTERM, as kube-proxy does
//   once the pod is out of its Service's endpoints.
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort, imageNodeOptions, percentile, row, rssMiB, startNode, stopChild, waitFor2xx } from './support.mjs';

const serviceScript = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const idleConnections = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 2000);
const keepAliveClients = Number(process.env.BENCH_KEEP_ALIVE_CLIENTS ?? 50);

async function startService(env = {}) {
  const port = await freePort();
  const { child, startedAt } = startNode(serviceScript, {
    PATH: process.env.PATH,
    NODE_OPTIONS: imageNodeOptions(),
    SERVER_HOST: '127.0.0.1',
    SERVER_PORT: String(port),
    METRICS_PORT: String(await freePort()),
    LOG_LEVEL: 'error',
    ...env,
  });
  await waitFor2xx(`http://127.0.0.1:${port}/livez`, startedAt, 30_000, child);
  return { child, port };
}

function call(port, agent, path, body) {
  return new Promise((resolve) => {
    const started = performance.now();
    const outgoing = request({
      host: '127.0.0.1',
      port,
      path,
      agent,
      method: body ? 'POST' : 'GET',
      headers: body ? { 'content-type': 'application/json' } : {},
    });
    outgoing.on('response', (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ status: response.statusCode, close: response.headers.connection === 'close', ms: performance.now() - started }),
      );
    });
    outgoing.on('error', (error) => resolve({ error: error.code ?? error.message, ms: performance.now() - started }));
    outgoing.end(body);
  });
}

/** /livez latency and RSS with `idleConnections` idle connections held open. */
export async function measureIdleConnections() {
  const { child, port } = await startService();
  const sockets = [];
  try {
    const idleMiB = rssMiB(child.pid);
    let closedByServer = 0;
    for (let index = 0; index < idleConnections; index += 1) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.on('close', () => (closedByServer += 1));
      sockets.push(socket);
      if (index % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const heldMiB = rssMiB(child.pid);
    const agent = new Agent({ keepAlive: false });
    const latencies = [];
    let failed = 0;
    for (let probe = 0; probe < 500; probe += 1) {
      const answer = await call(port, agent, '/livez');
      if (answer.status === 200) latencies.push(answer.ms);
      else failed += 1;
    }
    return {
      idleMiB,
      heldMiB,
      closedByServer,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
      failed,
    };
  } finally {
    for (const socket of sockets) socket.destroy();
    await stopChild(child);
  }
}

/** SIGTERM while `keepAliveClients` keep-alive clients send; `removalMs` after it they stop reconnecting. */
export async function measureShutdown(env, removalMs = Number.POSITIVE_INFINITY) {
  const { child, port } = await startService(env);
  const experiment = JSON.stringify({ name: 'bench/experiment', version: '1', description: 'bench' });
  const counts = { answered: 0, answeredWithClose: 0, refused: 0, resets: 0, moved: 0 };
  const errors = new Set();
  let signalledAt = Number.POSITIVE_INFINITY;
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve({ code, at: performance.now() })));
  const clients = Array.from({ length: keepAliveClients }, async (_, index) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (;;) {
        const answer = await call(port, agent, index % 2 ? '/livez' : '/resource/experiment', index % 2 ? undefined : experiment);
        if (answer.error === 'ECONNREFUSED') counts.refused += 1;
        else if (answer.error) {
          counts.resets += 1;
          errors.add(answer.error);
        } else {
          counts.answered += 1;
          if (answer.close) counts.answeredWithClose += 1;
        }
        // Its connection is gone: a client reconnects to the Service, which stops routing to this
        // pod once the pod is out of its endpoints; it then goes to another pod.
        const reconnecting = answer.error !== undefined || answer.close;
        if (reconnecting && performance.now() - signalledAt > removalMs) {
          counts.moved += 1;
          return;
        }
        if (answer.error && child.exitCode !== null) return;
      }
    } finally {
      agent.destroy();
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  signalledAt = performance.now();
  child.kill('SIGTERM');
  const { code, at } = await exited;
  await Promise.all(clients);
  return { ...counts, errors: [...errors].join(' '), code, shutdownMs: at - signalledAt };
}

export async function main() {
  console.log(`\nidle connections: ${idleConnections} held open against a fresh local service (NODE_OPTIONS="${imageNodeOptions()}")`);
  const idle = await measureIdleConnections();
  const widths = [14, 14, 16, 12, 12, 12, 10];
  row(['RSS idle MiB', 'RSS held MiB', 'closed by server', 'livez p50', 'livez p99', 'livez max', 'failed'], widths);
  row(
    [
      idle.idleMiB.toFixed(0),
      idle.heldMiB.toFixed(0),
      idle.closedByServer,
      idle.p50.toFixed(1),
      idle.p99.toFixed(1),
      idle.max.toFixed(1),
      idle.failed,
    ],
    widths,
  );
  console.log(`target: /livez p99 < 100 ms → ${idle.p99.toFixed(1)} ms ${idle.p99 < 100 && idle.failed === 0 ? 'met' : 'MISSED'}`);

  console.log(`\nSIGTERM while ${keepAliveClients} keep-alive clients keep sending`);
  const variants = [
    { name: 'defaults, no pod', env: {} },
    { name: 'pod defaults (5 s delay)', env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' }, removalMs: 1000 },
  ];
  const shutdownWidths = [26, 10, 12, 10, 8, 8, 12, 6];
  row(['variant', 'answered', 'with close', 'refused', 'moved', 'resets', 'shutdown ms', 'exit'], shutdownWidths);
  for (const variant of variants) {
    const result = await measureShutdown(variant.env, variant.removalMs);
    row(
      [
        variant.name,
        result.answered,
        result.answeredWithClose,
        result.refused,
        result.moved,
        `${result.resets}${result.errors ? ` (${result.errors})` : ''}`,
        result.shutdownMs.toFixed(0),
        result.code,
      ],
      shutdownWidths,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
