import { expect } from 'chai';
import {
  type LeaderElectionTiming,
  leaderElectionDefaults,
  leaderElectionTimingProblems,
  leaseDurationSecondsOf,
  leaseExpiresAt,
  type LeaseRecord,
  mustStepDown,
  nextAttemptDelayMs,
  nextLeaseAttempt,
  type ObservedLease,
  observeLease,
  releasedLease,
} from '../../src/domain/leader-election.js';

const timing: LeaderElectionTiming = leaderElectionDefaults;
const t0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);

function record(fields: Partial<LeaseRecord> = {}): LeaseRecord {
  return { holderIdentity: 'pod-a', leaseDurationSeconds: 15, acquireTime: at(-60_000), renewTime: at(0), leaseTransitions: 3, ...fields };
}

function observed(fields: Partial<LeaseRecord> = {}, observedAt = t0, revision = '7'): ObservedLease {
  return { record: record(fields), revision, observedAt };
}

describe('leader election rules', () => {
  describe('timing', () => {
    const cases: Array<[string, LeaderElectionTiming, string[]]> = [
      ["client-go's defaults", leaderElectionDefaults, []],
      ['short test settings', { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 300 }, []],
      [
        'a deadline as long as the lease',
        { leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2000 },
        ['the lease duration must be longer than the renew deadline'],
      ],
      [
        'a deadline that leaves no room for a jittered retry',
        { leaseDurationMs: 15_000, renewDeadlineMs: 2400, retryPeriodMs: 2000 },
        ['the renew deadline must be longer than 1.2 times the retry period'],
      ],
      [
        'a zero retry period and a deadline past the lease',
        { leaseDurationMs: 1000, renewDeadlineMs: 5000, retryPeriodMs: 0 },
        ['the retry period must be positive', 'the lease duration must be longer than the renew deadline'],
      ],
    ];
    for (const [what, given, problems] of cases) {
      it(`${what}: ${problems.length === 0 ? 'valid' : problems.join('; ')}`, () => {
        expect(leaderElectionTimingProblems(given)).to.deep.equal(problems);
      });
    }

    const seconds: Array<[number, number]> = [
      [15_000, 15],
      [2500, 3],
      [1000, 1],
      [1, 1],
    ];
    for (const [ms, expected] of seconds) {
      it(`announces a lease of ${ms} ms as ${expected} s, never shorter`, () => {
        expect(leaseDurationSecondsOf({ ...timing, leaseDurationMs: ms })).to.equal(expected);
      });
    }
  });

  describe('observing a lease', () => {
    it('keeps the first observation while the revision stays the same, so the age keeps counting', () => {
      const first = observeLease(undefined, { record: record(), revision: '7' }, t0);
      expect(first.observedAt).to.deep.equal(t0);
      expect(observeLease(first, { record: record(), revision: '7' }, at(9000))).to.equal(first);
    });

    it('restarts the age at a new revision, whatever renewTime the holder wrote', () => {
      const first = observeLease(undefined, { record: record(), revision: '7' }, t0);
      const renewed = observeLease(first, { record: record({ renewTime: at(-3_600_000) }), revision: '8' }, at(2000));
      expect(renewed.observedAt).to.deep.equal(at(2000));
      expect(renewed.revision).to.equal('8');
    });

    const expiries: Array<[string, Partial<LeaseRecord>, number]> = [
      ['the announced 15 s', { leaseDurationSeconds: 15 }, 15_000],
      ['the one second of a released lease', { leaseDurationSeconds: 1 }, 1000],
      ['the configured duration when none is announced', { leaseDurationSeconds: 0 }, timing.leaseDurationMs],
    ];
    for (const [what, fields, ms] of expiries) {
      it(`expires ${what} after it was seen, by this candidate's clock`, () => {
        expect(leaseExpiresAt(observed(fields, at(500)), timing)).to.deep.equal(at(500 + ms));
      });
    }
  });

  describe('the next attempt', () => {
    const cases: Array<[string, ObservedLease | undefined, number, Record<string, unknown>]> = [
      [
        'no lease: create it',
        undefined,
        0,
        {
          kind: 'create',
          record: { holderIdentity: 'pod-b', leaseDurationSeconds: 15, acquireTime: t0, renewTime: t0, leaseTransitions: 0 },
        },
      ],
      [
        'held by itself: renew, keeping acquire time and transitions',
        observed({ holderIdentity: 'pod-b' }),
        2000,
        { kind: 'renew', record: record({ holderIdentity: 'pod-b', renewTime: at(2000) }) },
      ],
      ['held by another, seen 14.999 s ago: wait', observed(), 14_999, { kind: 'wait', holder: 'pod-a', expiresAt: at(15_000) }],
      [
        'held by another, seen 15 s ago: take over, one more transition',
        observed(),
        15_000,
        {
          kind: 'take-over',
          previousHolder: 'pod-a',
          record: {
            holderIdentity: 'pod-b',
            leaseDurationSeconds: 15,
            acquireTime: at(15_000),
            renewTime: at(15_000),
            leaseTransitions: 4,
          },
        },
      ],
      [
        'released (no holder), seen just now: take over at once',
        observed({ holderIdentity: '', leaseDurationSeconds: 1 }),
        0,
        {
          kind: 'take-over',
          previousHolder: '',
          record: { holderIdentity: 'pod-b', leaseDurationSeconds: 15, acquireTime: t0, renewTime: t0, leaseTransitions: 4 },
        },
      ],
      [
        "held by another whose renewTime is an hour old but just changed: wait (the holder's clock does not count)",
        observed({ renewTime: at(-3_600_000) }),
        1000,
        { kind: 'wait', holder: 'pod-a', expiresAt: at(15_000) },
      ],
    ];
    for (const [what, lease, afterMs, expected] of cases) {
      it(what, () => {
        expect(nextLeaseAttempt(lease, 'pod-b', at(afterMs), timing)).to.deep.equal(expected);
      });
    }
  });

  describe('the leader', () => {
    const deadlines: Array<[number, boolean]> = [
      [0, false],
      [9999, false],
      [10_000, true],
      [14_000, true],
    ];
    for (const [sinceRenewMs, expected] of deadlines) {
      it(`${expected ? 'steps down' : 'keeps leading'} ${sinceRenewMs} ms after its last successful renewal started`, () => {
        expect(mustStepDown(t0, at(sinceRenewMs), timing)).to.equal(expected);
      });
    }

    it('steps down before any candidate that saw its last renewal may take over', () => {
      const seenBy = observeLease(undefined, { record: record(), revision: '9' }, t0);
      const stepsDownAt = [...Array(20_000).keys()].find((ms) => mustStepDown(t0, at(ms), timing))!;
      expect(nextLeaseAttempt(seenBy, 'pod-b', at(stepsDownAt), timing).kind).to.equal('wait');
      expect(leaseExpiresAt(seenBy, timing).getTime() - at(stepsDownAt).getTime()).to.equal(5000);
    });

    it('releases with no holder, a one-second duration and the transition count kept', () => {
      expect(releasedLease(record(), at(100))).to.deep.equal({
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: at(100),
        renewTime: at(100),
        leaseTransitions: 3,
      });
    });
  });

  describe('retry delays', () => {
    const cases: Array<[string, { leading: boolean; waitingUntil?: Date }, number, number]> = [
      ['a leader renews every retry period', { leading: true }, 0.9, 2000],
      ['a candidate retries after one period at the least', { leading: false }, 0, 2000],
      ['a candidate retries after 1.6 periods at random 0.5', { leading: false }, 0.5, 3200],
      ['a candidate retries before 2.2 periods', { leading: false }, 0.999, 4398],
      ['a random number out of range counts as 1', { leading: false }, 7, 4400],
      ['a candidate waits no longer than until the lease it waits for expires', { leading: false, waitingUntil: at(1500) }, 0.5, 1500],
      ['a lease expiring after the jittered delay does not lengthen it', { leading: false, waitingUntil: at(9000) }, 0.5, 3200],
      ['a lease already expired is tried at once', { leading: false, waitingUntil: at(-10) }, 0.5, 0],
    ];
    for (const [what, state, random, expected] of cases) {
      it(`${what}: ${expected} ms`, () => {
        expect(nextAttemptDelayMs(state, t0, timing, random)).to.equal(expected);
      });
    }
  });
});
