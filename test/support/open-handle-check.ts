// A mocha root hook: the suites run without mocha's `exit` option, so a test that leaves a
// server, socket or timer behind would keep the process alive. Instead of hanging CI, the run
// then fails after a grace period and names what is still open.
const graceMs = 10_000;

export const mochaHooks = {
  afterAll(): void {
    setTimeout(() => {
      const open = process.getActiveResourcesInfo().filter((resource) => resource !== 'TTYWrap');
      process.stderr.write(`open-handle check: the tests left ${open.length} handle(s) open: ${open.join(', ')}\n`);
      process.exit(1);
    }, graceMs).unref();
  },
};
