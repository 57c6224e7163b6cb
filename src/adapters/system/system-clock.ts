import type { Clock } from '../../ports/clock.js';

/** The machine's wall clock. */
export const systemClock: Clock = Object.freeze({ now: () => new Date() });
