import { randomUUID } from 'node:crypto';
import type { IdGenerator } from '../../ports/id-generator.js';

/** Random v4 UUIDs: unique without coordination, also across restarts. */
export const randomIdGenerator: IdGenerator = Object.freeze({ next: () => randomUUID() });
