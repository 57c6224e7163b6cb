import { createServer } from 'node:http';
import { expect } from 'chai';
import { createProviderService, type ProviderService } from '../../src/composition/create-provider-service.js';
import { listConformanceRules } from '../../src/conformance/run-conformance.js';
import { closeNow, listenOnLoopback } from '../../src/testing/loopback-http-server.js';
import { freePort } from '../support/eventually.js';
import { runCommand } from './run-command.js';

describe('conformance command', () => {
  const cleanups: Array<() => Promise<void>> = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const localService = async (env: Record<string, string> = {}): Promise<ProviderService> => {
    const service = createProviderService({ provider: 'local', listen: true, config: env });
    cleanups.push(() => service.stop());
    await service.start();
    return service;
  };

  describe('usage errors exit 2 before sending anything', () => {
    const cases: ReadonlyArray<readonly [string, readonly string[], RegExp]> = [
      ['no URL', [], /base URL of the service is missing/],
      ['a URL without a scheme', ['localhost:8080'], /not an http or https URL/],
      ['a URL that does not parse', ['http://'], /is not a URL/],
      ['an ftp URL', ['ftp://example.org'], /not an http or https URL/],
      ['two URLs', ['http://a.example', 'http://b.example'], /one base URL expected, got 2/],
      ['an unknown option', ['--bogus', 'http://a.example'], /Unknown option '--bogus'/],
      ['a body limit that is not a size', ['--body-limit', '32MB', 'http://a.example'], /--body-limit "32MB" is not a size/],
      ['a timeout that is not a number', ['--timeout', 'soon', 'http://a.example'], /--timeout "soon"/],
      ['an unknown rule', ['--only', 'no-such-rule', 'http://a.example'], /there is no rule "no-such-rule"/],
      ['a mutating rule without --mutating', ['--only', 'livez,pipeline-lifecycle', 'http://a.example'], /--mutating/],
    ];
    for (const [what, argv, message] of cases) {
      it(what, async () => {
        const run = await runCommand(argv);

        expect(run.code).to.equal(2);
        expect(run.output).to.match(message);
        expect(run.output).to.contain('Usage: kfp-provider-service conformance');
        expect(run.output).not.to.match(/^(PASS|FAIL|SKIP) /m);
      });
    }
  });

  it('prints its help, naming every rule, what is mutating and why the default set is safe, and exits 0', async () => {
    const run = await runCommand(['--help']);

    expect(run.code).to.equal(0);
    for (const rule of listConformanceRules()) expect(run.output).to.contain(rule.name);
    expect(run.output).to.match(/pipeline-lifecycle +\[mutating\]/);
    expect(run.output).to.contain('safe against a production backend');
    expect(run.output).to.contain('--body-limit <size>');
  });

  it('fails every rule that needs an answer when nothing listens, and exits 1', async () => {
    const run = await runCommand([`http://127.0.0.1:${await freePort()}`, '--only', 'livez,unknown-type,every-answer-is-json']);

    expect(run.code).to.equal(1);
    expect(run.failing).to.deep.equal(['livez', 'unknown-type']);
    expect(run.output).to.match(/FAIL {2}livez +GET \/livez → no answer \(connect ECONNREFUSED/);
    expect(run.output).to.match(/^SKIP {2}every-answer-is-json .*no answers to inspect$/m);
    expect(run.summary).to.equal('0 passed, 2 failed, 1 skipped');
  });

  it('sends the oversized body one byte over --body-limit, so a service with a higher limit fails that rule', async () => {
    const service = await localService({ HTTP_BODY_LIMIT_BYTES: String(2 * 1024 * 1024) });

    const matching = await runCommand(['--body-limit', '2MiB', '--only', 'body-too-large', service.url!]);
    const lower = await runCommand(['--body-limit', '1MiB', '--only', 'body-too-large', service.url!]);

    expect(matching.code, matching.output).to.equal(0);
    expect(matching.output).to.contain(`[application/json, ${2 * 1024 * 1024 + 1} B:`);
    expect(lower.code).to.equal(1);
    expect(lower.output).to.match(/FAIL {2}body-too-large .* → 400 .*expected status 413, got 400/);
  });

  it('joins the paths of its requests to a base URL with a path prefix, escapes as they are', async () => {
    const paths: string[] = [];
    const server = createServer((request, response) => {
      paths.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    const url = await listenOnLoopback(server);
    cleanups.push(() => closeNow(server));

    await runCommand([`${url}/provider/`, '--only', 'livez,id-malformed-escape']);

    expect(paths).to.have.length(2);
    expect(paths[0]).to.equal('/provider/livez');
    expect(paths[1]).to.match(/^\/provider\/resource\/pipeline\/kfp-conformance%2Fabsent-[0-9a-f]{8}%zz$/);
  });

  it('quotes at most 200 characters of an answer', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ providerError: 'x'.repeat(5000) }));
    });
    const url = await listenOnLoopback(server);
    cleanups.push(() => closeNow(server));

    const run = await runCommand([url, '--only', 'unknown-route']);

    const line = run.output.split('\n').find((candidate) => candidate.startsWith('PASS'));
    const answer = line?.split(' → 404 ')[1] ?? '';
    expect(answer).to.have.length(200);
    expect(answer.endsWith('…')).to.equal(true);
  });
});
