import { getContainerRuntimeClient } from 'testcontainers';
import { errorMessage } from '../../src/domain/error-message.js';

/**
 * Mocha global setup of the testcontainers suite: without a container runtime (no Docker
 * daemon or socket) nothing in the suite can run, so the run ends here with exit code 0 and
 * exactly one line saying why, rather than as a wall of failed hooks.
 */
export async function mochaGlobalSetup(): Promise<void> {
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    const reason = errorMessage(error);
    process.stdout.write(`testcontainers suite skipped: no container runtime is reachable (${reason})\n`);
    process.exit(0);
  }
}
