import { getContainerRuntimeClient } from 'testcontainers';

/**
 * Mocha global setup of the testcontainers suite: without a container runtime (no Docker
 * daemon or socket) nothing in the suite can run, so the run ends here with exit code 0 and
 * exactly one line saying why, rather than as a wall of failed hooks.
 */
export async function mochaGlobalSetup(): Promise<void> {
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stdout.write(`testcontainers suite skipped: no container runtime is reachable (${reason})\n`);
    process.exit(0);
  }
}
