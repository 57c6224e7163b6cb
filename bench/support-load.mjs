// The load generator of the HTTP benchmarks, in a process of its own so that the client's work
// is not counted against the server it measures.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./fixtures/http-load-generator.mjs', import.meta.url));

/**
 * Starts the load generator process; resolves to `{ run(options), stop() }`. `run` keeps
 * `connections` keep-alive connections POSTing `body` to `url` for `seconds` and resolves to
 * `{ answered, failed, seconds }` (answers with `expectStatus`, anything else).
 */
export async function startLoadGenerator() {
  const child = fork(script, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return {
    run(options) {
      return new Promise((resolve, reject) => {
        const onExit = (code) => reject(new Error(`the load generator exited with ${code}`));
        child.once('exit', onExit);
        child.once('message', (result) => {
          child.off('exit', onExit);
          resolve(result);
        });
        child.send(options);
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.disconnect();
      await exited;
    },
  };
}
