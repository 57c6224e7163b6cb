import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, freePort } from '../support/eventually.js';
import { packageRoot } from './built-package.js';

const run = promisify(execFile);

/** What `scripts/image-payload.mjs` reported: the payload's size in MiB. */
export interface PayloadReport {
  readonly mib: number;
  readonly output: string;
}

/** Writes the image payload into `directory` with the command the Dockerfile runs. */
export async function writePayload(directory: string): Promise<PayloadReport> {
  const { stdout } = await run(process.execPath, [join(packageRoot, 'scripts', 'image-payload.mjs'), directory], {
    cwd: packageRoot,
    timeout: 60_000,
  });
  const size = /image payload: ([\d.]+) MiB/.exec(stdout);
  if (!size) throw new Error(`image-payload.mjs printed no size: ${stdout}`);
  return { mib: Number(size[1]), output: stdout };
}

/** Runs the command the Dockerfile runs after copying the payload, with only `env` (and PATH) set. */
export function runWarmCompileCache(payload: string, env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['dist/warm-compile-cache.mjs'], {
    cwd: payload,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    timeout: 60_000,
  });
}

/** Fills `{payload}/compile-cache` as the image build does; answers it, for NODE_COMPILE_CACHE as the image sets it. */
export async function warmCompileCache(payload: string): Promise<string> {
  const cache = join(payload, 'compile-cache');
  await runWarmCompileCache(payload, { NODE_COMPILE_CACHE: cache });
  return cache;
}

/** The service started from a payload directory, as the image's CMD starts it. */
export class PayloadService {
  readonly #process: ChildProcess;
  readonly #exited: Promise<number | null>;
  #output = '';

  private constructor(
    child: ChildProcess,
    readonly url: string,
    readonly metricsUrl: string,
  ) {
    this.#process = child;
    this.#exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.#output += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.#output += chunk));
  }

  /**
   * Starts `node dist/main.js` in `payload` with only `env` (and PATH) set, and waits for
   * `/readyz` to answer 200.
   */
  static async start(payload: string, env: Record<string, string>): Promise<PayloadService> {
    const [apiPort, metricsPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: payload,
      env: { PATH: process.env['PATH'] ?? '', SERVER_PORT: String(apiPort), METRICS_PORT: String(metricsPort), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new PayloadService(child, `http://127.0.0.1:${apiPort}`, `http://127.0.0.1:${metricsPort}`);
    try {
      await eventually(
        'the payload service to be ready',
        async () => {
          if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}: ${service.output}`);
          return (
            (await fetch(`${service.url}/readyz`).then(
              (response) => response.status,
              () => 0,
            )) === 200
          );
        },
        20_000,
        50,
      );
    } catch (error) {
      await service.stop();
      throw error;
    }
    return service;
  }

  /** Everything the service wrote to stdout and stderr so far. */
  get output(): string {
    return this.#output;
  }

  /** POSTs JSON to the API; answers the status and the parsed body. */
  async post(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  /** SIGTERM, then the exit code (SIGKILL after 10 s). */
  async stop(): Promise<number | null> {
    if (this.#process.exitCode === null && this.#process.signalCode === null) this.#process.kill('SIGTERM');
    const timer = setTimeout(() => this.#process.kill('SIGKILL'), 10_000);
    const code = await this.#exited;
    clearTimeout(timer);
    return code;
  }
}
