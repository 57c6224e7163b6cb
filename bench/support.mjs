// Small helpers shared by the benchmark scripts.
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** A free loopback port. */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The median of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The p-th percentile (0–100) of numbers. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// A field of /proc/<pid>/status given in KiB, in MiB.
function statusMiB(pid, field) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** Resident set size of a process in MiB, from /proc. */
export function rssMiB(pid) {
  return statusMiB(pid, 'VmRSS');
}

/**
 * CPU seconds a process has used so far, all its threads (the pool that writes its log
 * included), from /proc; the busy time per request is steadier than the rate on a shared machine.
 */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The largest resident set size a process has had so far (VmHWM), in MiB. */
export function peakRssMiB(pid) {
  return statusMiB(pid, 'VmHWM');
}

/**
 * Polls `url` until it answers 2xx; resolves to the milliseconds since `startedAt`. Gives up at
 * once when `child` (the process serving `url`) has exited.
 */
export async function waitFor2xx(url, startedAt, timeoutMs = 30_000, child = undefined) {
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`the process serving ${url} exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return performance.now() - startedAt;
    } catch {
      // not listening yet
    }
    if (performance.now() - startedAt > timeoutMs) throw new Error(`${url} not ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Starts `node script` with `env`, returning the child, the time it was started and `output()`,
 * the last few KiB of its stdout (the service's log), to tell why a start-up failed.
 */
export function startNode(script, env) {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  // Only the last two chunks are kept, by reference: a service logging at info must not cost the
  // benchmark's own process a copy of every line.
  let previous = Buffer.alloc(0);
  let last = Buffer.alloc(0);
  child.stdout.on('data', (chunk) => {
    previous = last;
    last = chunk;
  });
  return { child, startedAt, output: () => Buffer.concat([previous, last]).toString('utf8').slice(-4096) };
}

/** Sends SIGTERM and waits for the exit. */
export async function stopChild(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Prints one row of a results table. */
export function row(cells, widths) {
  console.log(cells.map((cell, index) => String(cell).padEnd(widths[index] ?? 12)).join(' '));
}

/**
 * The NODE_OPTIONS of the production image (its Dockerfile), so that the service is measured
 * with the heap settings it runs with.
 */
export function imageNodeOptions() {
  const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
  return /^ENV NODE_OPTIONS="([^"]*)"/m.exec(dockerfile)?.[1] ?? '';
}

/**
 * Starts the webhook receiver fixture in its own process with `env` (see its header for the
 * options); resolves to the child, its URL and `ask(message)`, which answers the fixture's reply.
 */
export async function startWebhookReceiver(env = {}) {
  const child = fork(fileURLToPath(new URL('./fixtures/webhook-receiver.mjs', import.meta.url)), {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  const port = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`webhook receiver exited with ${code}`)));
  });
  const ask = (message) => {
    child.send(message);
    return new Promise((resolve) => child.once('message', resolve));
  };
  return { child, url: `http://127.0.0.1:${port}/events`, ask };
}
