import { type ClientRequest, request as httpRequest } from 'node:http';
import { expect } from 'chai';
import type { PipelineResource } from '../../../src/domain/definitions.js';
import type { HttpRouteContribution } from '../../../src/ports/http-route-contribution.js';
import { InMemoryProvider } from '../../../src/testing/in-memory-provider.js';
import { DefinitionBodyMother } from '../../support/definition-mother.js';
import { type Answer, send } from '../../support/http-client.js';
import { type RunningApp, startApp } from '../../support/http-app-harness.js';

function pipelineBody(compiledPipelineText: string): string {
  return `{"pipelineDefinition":{"name":"team/pipe","version":"v1"},"compiledPipeline":${compiledPipelineText}}`;
}

function manyKeys(count: number): string {
  return `{${Array.from({ length: count }, (_, index) => `"k${index}":${index}`).join(',')}}`;
}

interface Upload {
  readonly request: ClientRequest;
  readonly answer: Promise<{ status: number; text: string; at: number }>;
}

// A POST whose body is written by the test, part by part, with its Content-Length declared.
function upload(base: string, length: number): Upload {
  let request!: ClientRequest;
  const answer = new Promise<{ status: number; text: string; at: number }>((resolve, reject) => {
    request = httpRequest(
      `${base}/resource/pipeline`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(length) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text, at: performance.now() }));
      },
    );
    request.on('error', reject);
  });
  return { request, answer };
}

describe('HTTP request bodies within the pod', () => {
  let running: RunningApp | undefined;
  let provider: InMemoryProvider;

  async function serve(options: Parameters<typeof startApp>[1] = {}): Promise<string> {
    provider = new InMemoryProvider();
    running = await startApp(provider, options);
    return running.baseUrl;
  }

  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('refuses a 16 MiB body of 10⁶ keys with 413 before parsing it, answering /livez meanwhile', async function () {
    this.timeout(30_000);
    const base = await serve();
    const body = pipelineBody(manyKeys(1_000_000));
    expect(body.length).to.be.above(15 * 1024 * 1024);
    let probes = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        if ((await send(base, 'GET', '/livez')).status === 200) probes += 1;
      }
    })();
    const answer = await send(base, 'POST', '/resource/pipeline', { body, contentType: 'application/json' });
    polling = false;
    await poller;
    expect(answer.status).to.equal(413);
    expect(answer.json!['providerError']).to.include('more than 200000 JSON values');
    expect(probes).to.be.above(0);
    expect(provider.calls).to.deep.equal([]);
  });

  it('refuses nesting deeper than the limit with 413, however little the body weighs', async () => {
    const base = await serve();
    const answer = await send(base, 'POST', '/resource/pipeline', {
      body: pipelineBody(`${'['.repeat(100_000)}${']'.repeat(100_000)}`),
      contentType: 'application/json',
    });
    expect(answer.status).to.equal(413);
    expect(answer.json!['providerError']).to.include('deeper than 64 levels');
  });

  it('takes a body right at the configured value and depth limits, and refuses one value or level more', async () => {
    const base = await serve({ bodyLimitValues: 100, bodyLimitDepth: 5 });
    const post = (text: string): Promise<Answer> =>
      send(base, 'POST', '/resource/pipeline', { body: text, contentType: 'application/json' });
    // Around the compiled pipeline, the envelope holds 8 values (the root, its two keys, the
    // definition with its two keys and values) and one level of nesting.
    expect((await post(pipelineBody(`[${Array(91).fill('0').join(',')}]`))).status).to.equal(201);
    expect((await post(pipelineBody(`[${Array(92).fill('0').join(',')}]`))).status).to.equal(413);
    expect((await post(pipelineBody('[[[[]]]]'))).status).to.equal(201);
    expect((await post(pipelineBody('[[[[[]]]]]'))).status).to.equal(413);
  });

  it('counts a text beyond Latin-1 at two bytes a character against the byte limit', async () => {
    const base = await serve({ bodyLimitBytes: 1024 });
    const latin = JSON.stringify({ name: 'exp', description: 'é'.repeat(300) });
    const wide = JSON.stringify({ name: 'exp', description: `${'a'.repeat(600)}ā` });
    expect(Buffer.byteLength(latin)).to.be.below(1024);
    expect(Buffer.byteLength(wide)).to.be.below(1024);
    expect((await send(base, 'POST', '/resource/experiment', { body: latin, contentType: 'application/json' })).status).to.equal(201);
    const refused = await send(base, 'POST', '/resource/experiment', { body: wide, contentType: 'application/json' });
    expect(refused.status).to.equal(413);
    expect(refused.json!['providerError']).to.include('as text');
  });

  it('measures the bodies of contributed routes too', async () => {
    let handled = 0;
    const relay: HttpRouteContribution = {
      method: 'POST',
      path: '/events/test',
      handle: async () => ({ status: 200, body: { handled: ++handled } }),
    };
    const base = await serve({ contributions: [relay] });
    const deep = await send(base, 'POST', '/events/test', {
      body: `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`,
      contentType: 'application/json',
    });
    expect(deep.status).to.equal(413);
    expect((await send(base, 'POST', '/events/test', { body: 'not json at all, but short', contentType: 'text/plain' })).status).to.equal(
      200,
    );
    expect(handled).to.equal(1);
  });

  it('lets concurrent large bodies share one body limit of memory, while small requests go on', async () => {
    const base = await serve({ bodyLimitBytes: 1024 * 1024 });
    const text = pipelineBody(JSON.stringify('x'.repeat(600 * 1024)));
    const length = Buffer.byteLength(text);
    const first = upload(base, length);
    first.request.write(text.slice(0, 1000));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = upload(base, length);
    second.request.end(text);
    // The second waits for the first's share; a probe and a small definition do not.
    expect((await send(base, 'GET', '/livez')).status).to.equal(200);
    expect((await send(base, 'POST', '/resource/experiment', { json: DefinitionBodyMother.experiment() })).status).to.equal(201);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const finishedAt = performance.now();
    first.request.end(text.slice(1000));
    const [firstAnswer, secondAnswer] = await Promise.all([first.answer, second.answer]);
    expect([firstAnswer.status, secondAnswer.status]).to.deep.equal([201, 201]);
    expect(secondAnswer.at).to.be.above(finishedAt);
    expect(secondAnswer.at).to.be.at.least(firstAnswer.at);
  });

  it('gives the place of a request that times out while it waits to the next one; the provider never sees it', async () => {
    // The first body's pipeline is held up in the provider, and its share with it, until the gate opens.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    provider = new InMemoryProvider();
    const create = provider.pipeline.create!;
    const gated = { ...provider, pipeline: { create: async (resource: PipelineResource) => gate.then(() => create(resource)) } };
    running = await startApp(gated, { bodyLimitBytes: 1024 * 1024 }, { requestTimeoutMs: 1000, headersTimeoutMs: 1000 });
    const text = pipelineBody(JSON.stringify('x'.repeat(600 * 1024)));
    const length = Buffer.byteLength(text);
    const first = upload(running.baseUrl, length);
    first.request.end(text);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Its body is not read while it waits, so the server's request timeout ends it.
    const waiting = upload(running.baseUrl, length);
    waiting.request.end(text);
    expect((await waiting.answer).status).to.equal(408);
    open();
    expect((await first.answer).status).to.equal(201);
    // Had the timed-out request kept its place, the first's share would have gone to it and its
    // pipeline been created after its 408; every share is back, so the next body is taken at once.
    const next = upload(running.baseUrl, length);
    next.request.end(text);
    expect((await next.answer).status).to.equal(201);
    expect(provider.callsOf('pipeline', 'create')).to.have.length(2);
  });
});
