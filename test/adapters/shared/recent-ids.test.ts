import { expect } from 'chai';
import { RecentIds } from '../../../src/adapters/shared/recent-ids.js';

describe('RecentIds', () => {
  it('forgets the oldest id once over capacity', () => {
    const ids = new RecentIds(2);
    ids.add('a');
    ids.add('b');
    ids.add('c');
    expect([ids.has('a'), ids.has('b'), ids.has('c'), ids.size]).to.deep.equal([false, true, true, 2]);
  });

  it('counts an id added again as the newest', () => {
    const ids = new RecentIds(2);
    ids.add('a');
    ids.add('b');
    ids.add('a');
    ids.add('c');
    expect([ids.has('a'), ids.has('b'), ids.has('c')]).to.deep.equal([true, false, true]);
  });

  it('rejects a capacity that is not a positive whole number', () => {
    for (const capacity of [0, -1, 1.5, Number.NaN]) expect(() => new RecentIds(capacity)).to.throw(RangeError);
  });
});
