import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eventually, freePort } from './eventually.js';

const mainScript = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** How a process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * The built service (`dist/main.js`) as a child process on free loopback ports, for tests with
 * several replicas: it keeps the output, answers what `/readyz` and `/metrics` say, and is
 * ended with a signal of the test's choice (SIGKILL for a crash, SIGTERM for a rollout).
 */
export class ServiceProcess {
  readonly #child: ChildProcess;
  readonly exited: Promise<ProcessExit>;
  stdout = '';
  stderr = '';

  private constructor(
    readonly name: string,
    readonly apiPort: number,
    readonly metricsPort: number,
    env: Readonly<Record<string, string>>,
  ) {
    this.#child = spawn(process.execPath, [mainScript], {
      env: { ...env, SERVER_HOST: '127.0.0.1', SERVER_PORT: String(apiPort), METRICS_PORT: String(metricsPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.#child.once('exit', (code, signal) => resolve({ code, signal })));
    this.#child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.stdout += chunk));
    this.#child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
  }

  /** Starts `dist/main.js` with `env` (plus its ports); `name` only labels failures. */
  static async start(name: string, env: Readonly<Record<string, string>>): Promise<ServiceProcess> {
    if (!existsSync(mainScript)) throw new Error(`${mainScript} is missing: run "npm run build" (npm test does it in pretest)`);
    return new ServiceProcess(name, await freePort(), await freePort(), env);
  }

  /** `http://127.0.0.1:{apiPort}`. */
  get url(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /** True until the process has exited. */
  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Waits until `/readyz` answers 2xx; fails naming the process and its output otherwise. */
  async ready(timeoutMs = 20_000): Promise<this> {
    await eventually(
      `${this.name} to be ready (stdout: ${this.stdout.slice(-2000)} stderr: ${this.stderr.slice(-2000)})`,
      async () => {
        if (!this.running) throw new Error(`${this.name} exited: ${this.stderr || this.stdout.slice(-2000)}`);
        const status = await fetch(`${this.url}/readyz`).then(
          (response) => response.status,
          () => 0,
        );
        return status >= 200 && status < 300;
      },
      timeoutMs,
      25,
    );
    return this;
  }

  /** The value of an unlabelled metric on `/metrics`, `undefined` when it is not exported. */
  async metric(name: string): Promise<number | undefined> {
    const text = await (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)).text();
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
    return line === undefined ? undefined : Number(line.slice(name.length + 1));
  }

  /** Sends `signal`; resolves once the process has exited. */
  async kill(signal: NodeJS.Signals): Promise<ProcessExit> {
    if (this.running) this.#child.kill(signal);
    return this.exited;
  }

  /** Ends the process (SIGKILL unless told otherwise) unless it has exited already; resolves to how it ended. */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<ProcessExit> {
    return this.kill(signal);
  }

  /** Every line of stdout, parsed; a line that is not JSON fails the parse. */
  logLines(): Array<Record<string, unknown>> {
    return this.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}
