import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { eventually, freePort } from './eventually.js';

const mainScript = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** The built service (`dist/main.js`) running as a child process on loopback ports. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<api port>`. */
  readonly baseUrl: string;
  /** Every line written to stdout or stderr so far. */
  lines(): string[];
  /** Sends SIGTERM and resolves with how the process ended. */
  terminate(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills it if it still runs. */
  kill(): Promise<void>;
}

/** Starts dist/main.js with `env` (and free loopback ports) and waits until `/livez` answers. */
export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  if (!existsSync(mainScript)) throw new Error(`${mainScript} is missing: run "npm run build" (npm test does it in pretest)`);
  const [apiPort, metricsPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [mainScript], {
    env: { SERVER_HOST: '127.0.0.1', SERVER_PORT: String(apiPort), METRICS_PORT: String(metricsPort), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const service: ServiceProcess = {
    child,
    baseUrl,
    lines: () => output.split('\n').filter((line) => line !== ''),
    terminate: () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (!running()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  try {
    const answers = async (): Promise<boolean> => {
      if (!running()) throw new Error(`the service exited before answering: ${output}`);
      return fetch(`${baseUrl}/livez`).then(
        (answer) => answer.ok,
        () => false,
      );
    };
    await eventually('the service to answer /livez', answers, 10_000, 20);
  } catch (error) {
    await service.kill();
    throw error;
  }
  return service;
}
