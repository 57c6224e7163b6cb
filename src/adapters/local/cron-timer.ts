import { CronExpressionParser } from 'cron-parser';
import type { Schedule } from '../../domain/definitions.js';
import { InvalidInputError } from '../../domain/errors.js';
import type { Clock } from '../../ports/clock.js';

// setTimeout cannot wait longer than 2^31-1 ms (about 24.8 days); longer waits are split.
const longestTimeoutMs = 2 ** 31 - 1;

/**
 * Fires a callback on a schedule's cron (seconds precision, UTC), never before `startTime` nor
 * after `endTime`. One timer is armed at a time, for the next firing only.
 */
export class CronTimer {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  /** Throws an {@link InvalidInputError} when a field of the cron expression is out of range. */
  constructor(
    private readonly schedule: Schedule,
    private readonly clock: Clock,
    private readonly fire: (at: Date) => void,
  ) {
    try {
      CronExpressionParser.parse(schedule.cron.withSeconds, { tz: 'UTC' });
    } catch (error) {
      throw new InvalidInputError(`cron expression "${schedule.cron.standard}" is not valid: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** The next firing after `after`, or `undefined` when the schedule has ended. */
  nextFiring(after: Date): Date | undefined {
    const { startTime, endTime, cron } = this.schedule;
    // Firing times are whole seconds; starting one millisecond before startTime lets a
    // firing exactly at startTime count.
    const from = startTime && startTime.getTime() > after.getTime() ? new Date(startTime.getTime() - 1) : after;
    const next = CronExpressionParser.parse(cron.withSeconds, { currentDate: from, tz: 'UTC' }).next().toDate();
    return endTime && next.getTime() > endTime.getTime() ? undefined : next;
  }

  /** Arms the timer for the next firing from now. */
  start(): void {
    this.#stopped = false;
    this.#arm(this.nextFiring(this.clock.now()));
  }

  /** Disarms the timer; no firing happens after this returns. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(at: Date | undefined): void {
    if (this.#stopped || !at) return;
    const wait = at.getTime() - this.clock.now().getTime();
    this.#timer = setTimeout(
      () => {
        if (this.#stopped) return;
        // Node's timers run on the monotonic clock and may wake a millisecond before the wall
        // clock reaches `at`; waiting out the remainder keeps a firing from preceding startTime.
        // The same re-arm continues a wait that was split for being too long.
        if (this.clock.now().getTime() < at.getTime()) {
          this.#arm(at);
          return;
        }
        this.fire(at);
        // After a stalled event loop, skip the firings that were missed rather than run them
        // back to back.
        const now = this.clock.now();
        this.#arm(this.nextFiring(now.getTime() > at.getTime() ? now : at));
      },
      Math.max(0, Math.min(wait, longestTimeoutMs)),
    );
    this.#timer.unref();
  }
}
