import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eventually, freePort } from './eventually.js';

const mainScript = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** How a child process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * The built service (`dist/main.js`) as a child process on free loopback ports, with what it
 * wrote. Tests that restart, kill or race service processes drive it; `npm run build` first.
 */
export class ServiceProcess {
  readonly #child: ChildProcess;
  readonly exited: Promise<ProcessExit>;
  stdout = '';
  stderr = '';

  private constructor(
    env: Record<string, string>,
    readonly apiPort: number,
  ) {
    this.#child = spawn(process.execPath, [mainScript], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => this.#child.once('exit', (code, signal) => resolve({ code, signal })));
    this.#child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.#child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
  }

  /** Starts the service with `env` plus its own host and ports. */
  static async start(env: Record<string, string>): Promise<ServiceProcess> {
    if (!existsSync(mainScript)) throw new Error(`${mainScript} is missing: run "npm run build" (npm test does it in pretest)`);
    const [apiPort, metricsPort] = [await freePort(), await freePort()];
    return new ServiceProcess(
      { ...env, SERVER_HOST: '127.0.0.1', SERVER_PORT: String(apiPort), METRICS_PORT: String(metricsPort) },
      apiPort,
    );
  }

  /** `http://127.0.0.1:port` of the API. */
  get url(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /** True while the process has not exited. */
  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Every line of stdout, parsed; a line that is not JSON fails the parse. */
  logLines(): Array<Record<string, unknown>> {
    return this.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** Waits until `/readyz` answers 200. */
  async ready(timeoutMs = 10_000): Promise<this> {
    await eventually(
      `the service to be ready (stdout: ${this.stdout} stderr: ${this.stderr})`,
      async () => {
        if (!this.running) throw new Error(`the service exited (stdout: ${this.stdout} stderr: ${this.stderr})`);
        return (
          (await fetch(`${this.url}/readyz`)
            .then((answer) => answer.status)
            .catch(() => 0)) === 200
        );
      },
      timeoutMs,
      25,
    );
    return this;
  }

  /** Sends `signal` and waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<ProcessExit> {
    if (this.running) this.#child.kill(signal);
    return this.exited;
  }
}
