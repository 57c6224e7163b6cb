import { expect } from 'chai';
import { CronTimer } from '../../../src/adapters/local/cron-timer.js';
import { parseCron } from '../../../src/domain/cron.js';
import type { Schedule } from '../../../src/domain/definitions.js';
import { eventually } from '../../support/eventually.js';

const at = (iso: string): Date => new Date(iso);
const fixedClock = (iso: string) => ({ now: () => at(iso) });

function timer(schedule: Schedule, fire: (at: Date) => void = () => undefined, clock = fixedClock('2030-01-01T00:00:00Z')): CronTimer {
  return new CronTimer(schedule, clock, fire);
}

describe('cron timer', () => {
  describe('next firing', () => {
    it('follows a 5-field cron in UTC', () => {
      const next = timer({ cron: parseCron('30 3 * * *') }).nextFiring(at('2030-01-01T04:00:00Z'));
      expect(next?.toISOString()).to.equal('2030-01-02T03:30:00.000Z');
    });

    it('honours the seconds field of a 6-field cron', () => {
      const next = timer({ cron: parseCron('15 * * * * *') }).nextFiring(at('2030-01-01T00:00:20Z'));
      expect(next?.toISOString()).to.equal('2030-01-01T00:01:15.000Z');
    });

    it('fires every second for "* * * * * *", strictly after the given time', () => {
      const next = timer({ cron: parseCron('* * * * * *') }).nextFiring(at('2030-01-01T00:00:00.000Z'));
      expect(next?.toISOString()).to.equal('2030-01-01T00:00:01.000Z');
    });

    it('never fires before startTime', () => {
      const schedule = { cron: parseCron('0 * * * *'), startTime: at('2030-06-01T12:30:00Z') };
      expect(timer(schedule).nextFiring(at('2030-01-01T00:00:00Z'))?.toISOString()).to.equal('2030-06-01T13:00:00.000Z');
    });

    it('fires exactly at startTime when it falls on the cron', () => {
      const schedule = { cron: parseCron('0 * * * *'), startTime: at('2030-06-01T12:00:00Z') };
      expect(timer(schedule).nextFiring(at('2030-01-01T00:00:00Z'))?.toISOString()).to.equal('2030-06-01T12:00:00.000Z');
    });

    it('ignores a startTime in the past', () => {
      const schedule = { cron: parseCron('0 * * * *'), startTime: at('2029-01-01T00:00:00Z') };
      expect(timer(schedule).nextFiring(at('2030-01-01T00:10:00Z'))?.toISOString()).to.equal('2030-01-01T01:00:00.000Z');
    });

    it('fires at endTime but never after it', () => {
      const schedule = { cron: parseCron('0 * * * *'), endTime: at('2030-01-01T02:00:00Z') };
      const cron = timer(schedule);
      expect(cron.nextFiring(at('2030-01-01T01:30:00Z'))?.toISOString()).to.equal('2030-01-01T02:00:00.000Z');
      expect(cron.nextFiring(at('2030-01-01T02:00:00Z'))).to.equal(undefined);
    });

    it('has no firing when the window between startTime and endTime holds none', () => {
      const schedule = { cron: parseCron('0 3 * * *'), startTime: at('2030-01-01T04:00:00Z'), endTime: at('2030-01-01T05:00:00Z') };
      expect(timer(schedule).nextFiring(at('2030-01-01T00:00:00Z'))).to.equal(undefined);
    });
  });

  describe('running', () => {
    const systemClock = { now: () => new Date() };
    let running: CronTimer | undefined;
    afterEach(() => running?.stop());

    it('fires on each second of a per-second cron, with the firing time, until stopped', async () => {
      const firings: Date[] = [];
      running = new CronTimer({ cron: parseCron('* * * * * *') }, systemClock, (when) => firings.push(when));
      running.start();
      await eventually('two firings', () => firings.length >= 2, 4000);
      running.stop();
      const count = firings.length;
      expect(firings[1]!.getTime() - firings[0]!.getTime()).to.equal(1000);
      for (const firing of firings) expect(firing.getMilliseconds()).to.equal(0);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(firings).to.have.length(count);
    });

    it('waits out a timer that wakes before the wall clock reaches the firing time', async () => {
      // The wall clock reads: at start, when arming, then one millisecond short of the firing
      // when the timer first wakes, then the firing time itself.
      const readings = ['2030-01-01T00:00:00.990Z', '2030-01-01T00:00:00.990Z', '2030-01-01T00:00:00.999Z', '2030-01-01T00:00:00.999Z'];
      const seen: string[] = [];
      const clock = {
        now: () => {
          const reading = readings.shift() ?? '2030-01-01T00:00:01.000Z';
          seen.push(reading);
          return at(reading);
        },
      };
      const firings: { at: string; clockRead: number }[] = [];
      running = new CronTimer({ cron: parseCron('* * * * * *') }, clock, (when) =>
        firings.push({ at: when.toISOString(), clockRead: seen.length }),
      );
      running.start();
      await eventually('a firing', () => firings.length >= 1, 2000);
      running.stop();
      expect(firings[0]).to.deep.equal({ at: '2030-01-01T00:00:01.000Z', clockRead: 5 });
      expect(seen[4]).to.equal('2030-01-01T00:00:01.000Z');
    });

    it('does not fire when the schedule already ended', async () => {
      const firings: Date[] = [];
      running = new CronTimer({ cron: parseCron('* * * * * *'), endTime: new Date(Date.now() - 1000) }, systemClock, (when) =>
        firings.push(when),
      );
      running.start();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(firings).to.deep.equal([]);
    });
  });
});
