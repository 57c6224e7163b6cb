import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import Mocha from 'mocha';

const fixture = fileURLToPath(new URL('./fixtures/broken-providers.contract-fixture.ts', import.meta.url));

interface ChildRun {
  readonly passed: string[];
  readonly failed: string[];
}

// Runs the fixture in a child Mocha instance (this process, its own runner and reporter), so
// the contract suite's failures are counted rather than failing this test run.
async function runChildMocha(file: string): Promise<ChildRun> {
  const passed: string[] = [];
  const failed: string[] = [];
  const child = new Mocha({ timeout: 10_000, reporter: class SilentReporter {} as unknown as Mocha.ReporterConstructor });
  child.addFile(file);
  await child.loadFilesAsync();
  await new Promise<void>((resolve) => {
    const runner = child.run(() => resolve());
    runner.on('pass', (test) => passed.push(test.fullTitle()));
    runner.on('fail', (test) => failed.push(test.fullTitle()));
  });
  child.dispose();
  return { passed, failed };
}

describe('provider contract suite against broken providers', function () {
  this.timeout(60_000);
  let result: ChildRun;

  before(async () => {
    result = await runChildMocha(fixture);
  });

  const failuresOf = (suite: string): string[] => result.failed.filter((title) => title.startsWith(`provider contract: ${suite} `));

  it("passes a well-behaved provider (the control), so the failures below are the providers' own", () => {
    expect(failuresOf('control')).to.deep.equal([]);
    expect(result.passed.filter((title) => title.startsWith('provider contract: control '))).to.have.length.above(20);
  });

  it('fails a provider whose create answers an empty id', () => {
    expect(failuresOf('empty ids')).to.include(
      'provider contract: empty ids experiment POST creates it and answers 201 with a non-empty string id',
    );
  });

  it('fails a provider whose delete of a missing id throws', () => {
    expect(failuresOf('delete of a missing id throws')).to.include.members([
      'provider contract: delete of a missing id throws pipeline DELETE answers 200 {} and, once it is gone, 200 {} again',
      'provider contract: delete of a missing id throws pipeline DELETE of an id that never existed answers 200 {}',
    ]);
  });

  it('fails a provider that lacks an operation the options say it implements', () => {
    expect(failuresOf('claims an update it does not implement')).to.include.members([
      'provider contract: claims an update it does not implement experiment PUT updates it and answers 200 with a non-empty string id',
    ]);
    expect(result.failed.length).to.be.above(0);
  });
});
