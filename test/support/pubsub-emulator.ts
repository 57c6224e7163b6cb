import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freePort } from './eventually.js';

/** Whether `command` is an executable file in one of the PATH directories (or `extra`). */
function onPath(command: string, extra: readonly string[] = []): boolean {
  const directories = [...(process.env['PATH'] ?? '').split(delimiter).filter((directory) => directory !== ''), ...extra];
  return directories.some((directory) => {
    try {
      accessSync(join(directory, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * What the emulator needs that this machine lacks, as one line; `undefined` when nothing is
 * missing. Checked before spawning: without gcloud the spawn only says `spawn gcloud ENOENT`,
 * and without Java gcloud fails after a long wait with a page of output.
 */
export function missingEmulatorPrerequisite(): string | undefined {
  const missing = [
    onPath('gcloud') ? undefined : 'gcloud (the Google Cloud CLI, with its pubsub-emulator component)',
    onPath('java', process.env['JAVA_HOME'] ? [join(process.env['JAVA_HOME'], 'bin')] : []) ? undefined : 'java (a Java runtime)',
  ].filter((item) => item !== undefined);
  return missing.length > 0 ? `the Pub/Sub emulator tests need ${missing.join(' and ')} on PATH; see the README's Set-up` : undefined;
}

async function portIsFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The Pub/Sub emulator (`gcloud beta emulators pubsub start`) on a free loopback port, run in its
 * own process group so that stopping it also ends the Java server gcloud starts.
 */
export class PubSubEmulator {
  readonly #project: string;
  #process: ChildProcess | undefined;
  #host = '';
  #output = '';

  constructor(project = 'test-project') {
    this.#project = project;
  }

  /** `127.0.0.1:{port}`, for `PUBSUB_EMULATOR_HOST`. */
  get host(): string {
    return this.#host;
  }

  /** Starts the emulator and waits until it answers HTTP; rejects after `timeoutMs`. */
  async start(timeoutMs = 60_000): Promise<this> {
    const missing = missingEmulatorPrerequisite();
    if (missing) {
      const error = new Error(missing);
      // The message is the whole story; a stack would only point here.
      error.stack = missing;
      throw error;
    }
    this.#host = `127.0.0.1:${await freePort()}`;
    return this.#launch(timeoutMs);
  }

  /**
   * Ends the emulator at once, as a crash would (SIGKILL to its process group): it loses every
   * topic, subscription and message, and the port is free again once this resolves.
   */
  async kill(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (!child?.pid) return;
    const exited =
      child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
    this.#killGroup(child.pid, 'SIGKILL');
    await exited;
    await this.#untilPortFree(10_000);
  }

  /** Starts a fresh emulator on the same host and port after {@link kill} or {@link stop}. */
  async restart(timeoutMs = 60_000): Promise<this> {
    if (this.#process) throw new Error('the Pub/Sub emulator is still running; kill or stop it first');
    await this.#untilPortFree(10_000);
    return this.#launch(timeoutMs);
  }

  async #launch(timeoutMs: number): Promise<this> {
    const child = spawn('gcloud', ['beta', 'emulators', 'pubsub', 'start', `--host-port=${this.#host}`, `--project=${this.#project}`], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#process = child;
    const keep = (chunk: Buffer): void => {
      this.#output = (this.#output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`Pub/Sub emulator exited with ${code}: ${this.#output}`))),
    );
    exited.catch(() => undefined);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await Promise.race([this.#answers(), exited])) return this;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`Pub/Sub emulator did not answer on ${this.#host} within ${timeoutMs} ms: ${this.#output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Ends the emulator's whole process group and waits for gcloud to exit. */
  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) {
      if (child?.pid) this.#killGroup(child.pid, 'SIGKILL');
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.#killGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(() => this.#killGroup(child.pid!, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    // gcloud may exit before the Java server it started; the group kill reaches both.
    this.#killGroup(child.pid, 'SIGKILL');
  }

  // The Java server is a grandchild: it may hold the port a moment after gcloud has exited.
  async #untilPortFree(timeoutMs: number): Promise<void> {
    const port = Number(this.#host.split(':').pop());
    const deadline = Date.now() + timeoutMs;
    while (!(await portIsFree(port))) {
      if (Date.now() > deadline) throw new Error(`port ${port} of the Pub/Sub emulator is still taken after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  #killGroup(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  }

  async #answers(): Promise<boolean> {
    try {
      const response = await fetch(`http://${this.#host}/`, { signal: AbortSignal.timeout(1000) });
      return response.ok;
    } catch {
      return false;
    }
  }
}
