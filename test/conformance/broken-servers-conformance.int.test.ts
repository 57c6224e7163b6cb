import { expect } from 'chai';
import { createProviderService, type ProviderService } from '../../src/composition/create-provider-service.js';
import {
  addPathIdToErrors,
  type AnswerRewrite,
  composeRewrites,
  deleteAnswersOk,
  dropIdFromErrors,
  type RewritingProxy,
  serverErrorForUnknownType,
  startRewritingProxy,
  textPlainErrors,
} from './rewriting-proxy.js';
import { runCommand } from './run-command.js';

// Each broken server is the local provider behind a proxy that breaks one rule. The control
// proxy only repairs what SPEC §2 asks of PUT and DELETE errors (the id), so that every other
// proxy differs from a conforming service in exactly the way its test names.
describe('conformance against deliberately broken servers', () => {
  let service: ProviderService;
  const proxies: RewritingProxy[] = [];

  beforeEach(async () => {
    service = createProviderService({ provider: 'local', listen: true });
    await service.start();
  });

  afterEach(async () => {
    for (const proxy of proxies.splice(0)) await proxy.stop();
    await service.stop();
  });

  const serverThat = async (...rewrites: readonly AnswerRewrite[]): Promise<string> => {
    const proxy = await startRewritingProxy(service.url!, composeRewrites(addPathIdToErrors, ...rewrites));
    proxies.push(proxy);
    return proxy.url;
  };

  it('passes the control, a conforming service behind the same proxy, with and without --mutating', async () => {
    const url = await serverThat();
    const defaults = await runCommand([url]);
    const mutating = await runCommand(['--mutating', url]);

    expect(defaults.failing, defaults.output).to.deep.equal([]);
    expect(defaults.code).to.equal(0);
    expect(defaults.passing).to.include.members(['put-error-carries-id', 'id-decoded-once']);
    expect(mutating.failing, mutating.output).to.deep.equal([]);
    expect(mutating.code).to.equal(0);
  });

  it('fails a server whose error answers are text/plain', async () => {
    const run = await runCommand([await serverThat(textPlainErrors)]);

    expect(run.code).to.equal(1);
    expect(run.failing).to.include.members(['unknown-route', 'unknown-type', 'wrong-method', 'body-too-large', 'every-answer-is-json']);
    expect(run.output).to.match(/FAIL {2}every-answer-is-json .* → 404 error: .*expected a JSON body, got text\/plain/);
  });

  it('fails a server that drops the id from PUT and DELETE error answers, and names that rule alone', async () => {
    const run = await runCommand([await serverThat(dropIdFromErrors)]);

    expect(run.code).to.equal(1);
    expect(run.failing).to.deep.equal(['put-error-carries-id']);
    expect(run.output).to.match(/FAIL {2}put-error-carries-id +PUT \/resource\/pipeline\/kfp-conformance%2Fabsent-[0-9a-f]+ .*→ 400 /);
    expect(run.output).to.match(/expected "id" "kfp-conformance\/absent-[0-9a-f]+", got none/);
  });

  it('fails a server that answers 500 for an unknown resource type, and names that rule alone', async () => {
    const run = await runCommand([await serverThat(serverErrorForUnknownType)]);

    expect(run.code).to.equal(1);
    expect(run.failing).to.deep.equal(['unknown-type']);
    expect(run.output).to.contain('expected status 404, got 500');
  });

  it('fails a server whose successful DELETE answers {"ok":true}, and names that rule alone', async () => {
    const run = await runCommand([await serverThat(deleteAnswersOk)]);

    expect(run.code).to.equal(1);
    expect(run.failing).to.deep.equal(['delete-answers-empty-object']);
    expect(run.output).to.contain('expected exactly {}, got {"ok":true}');
    expect(run.summary).to.match(/^\d+ passed, 1 failed(, \d+ skipped)?$/);
  });
});
