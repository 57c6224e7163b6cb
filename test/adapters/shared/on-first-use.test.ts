import { expect } from 'chai';
import { onFirstUse } from '../../../src/adapters/shared/on-first-use.js';
import { rejection } from '../../support/rejection.js';

describe('onFirstUse', () => {
  it('opens nothing until asked, then opens once for every later use', async () => {
    let opened = 0;
    const resource = onFirstUse(
      async () => ({ id: ++opened }),
      async () => undefined,
    );
    expect(opened).to.equal(0);
    const [first, second] = await Promise.all([resource.get(), resource.get()]);
    expect(opened).to.equal(1);
    expect(first).to.equal(second);
  });

  it('does not remember a failed opening: the next use tries again', async () => {
    let attempts = 0;
    const resource = onFirstUse(
      async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('endpoint unreachable');
        return 'client';
      },
      async () => undefined,
    );
    expect((await rejection(resource.get())).message).to.equal('endpoint unreachable');
    expect(await resource.get()).to.equal('client');
    expect(attempts).to.equal(2);
  });

  it('closes only what was opened, once', async () => {
    const closed: string[] = [];
    const never = onFirstUse(
      async () => 'unused',
      async (value) => void closed.push(value),
    );
    await never.close();
    expect(closed).to.deep.equal([]);
    const used = onFirstUse(
      async () => 'client',
      async (value) => void closed.push(value),
    );
    await used.get();
    await used.close();
    await used.close();
    expect(closed).to.deep.equal(['client']);
  });

  it('closes a resource that holds nothing without a close function, and opens afresh on the next use', async () => {
    let opened = 0;
    const resource = onFirstUse(async () => ++opened);
    expect(await resource.get()).to.equal(1);
    await resource.close();
    expect(await resource.get()).to.equal(2);
  });
});
