// The Pub/Sub emulator for the benchmarks: the start/stop logic of test/support/pubsub-emulator.ts
// in plain JavaScript, so that `node bench/run.mjs` needs no TypeScript loader.
import { spawn } from 'node:child_process';
import { PubSub } from '@google-cloud/pubsub';
import { freePort } from './support.mjs';

/** A client of the emulator at `host` for `project`; the fixed universe domain spares it a metadata-server lookup. */
export function emulatorClient(project, host) {
  return new PubSub({ projectId: project, apiEndpoint: host, emulatorMode: true, universeDomain: 'googleapis.com' });
}

async function answers(host) {
  try {
    const response = await fetch(`http://${host}/`, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * Starts `gcloud beta emulators pubsub start` on a free loopback port in its own process group
 * (gcloud starts a Java server that outlives a plain kill of gcloud) and waits until it answers.
 * Resolves to `{ host, stop }`; `stop()` ends the whole group.
 */
export async function startPubSubEmulator(project, timeoutMs = 60_000) {
  const host = `127.0.0.1:${await freePort()}`;
  const child = spawn('gcloud', ['beta', 'emulators', 'pubsub', 'start', `--host-port=${host}`, `--project=${project}`], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    // gcloud may exit before the Java server it started; the group kill reaches both.
    killGroup(child.pid, 'SIGKILL');
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const early = await Promise.race([answers(host), exited.then(() => 'exited')]);
    if (early === true) return { host, stop };
    if (early === 'exited') {
      await stop();
      throw new Error(`Pub/Sub emulator exited before answering: ${output}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Pub/Sub emulator did not answer on ${host} within ${timeoutMs} ms: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
