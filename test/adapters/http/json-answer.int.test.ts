import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import Koa from 'koa';
import { answerJson } from '../../../src/adapters/http/json-answer.js';
import { DefinitionBodyMother } from '../../support/definition-mother.js';
import { eventually, freePort } from '../../support/eventually.js';
import { type RawAnswer, rawRequest } from '../../support/raw-http.js';

const mainScript = fileURLToPath(new URL('../../../dist/main.js', import.meta.url));

async function listen(app: Koa): Promise<{ server: Server; port: number }> {
  const handle = app.callback();
  const server = createServer((request, response) => void handle(request, response));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

// The headers Koa itself decides; the date and the connection vary from answer to answer.
function comparable(answer: RawAnswer): { status: number; headers: Record<string, string>; body: string } {
  const { date: _date, connection: _connection, 'keep-alive': _keepAlive, ...headers } = answer.headers;
  return { status: answer.status, headers, body: answer.body };
}

describe('JSON answers', () => {
  const servers: Server[] = [];
  after(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  for (const [status, value] of [
    [201, { id: 'team/pipeline' }],
    [200, {}],
    [404, { id: 'a b', providerError: 'no "ā" here' }],
  ] as const) {
    it(`answers ${status} ${JSON.stringify(value)} exactly as Koa answers the object`, async () => {
      const koa = new Koa();
      koa.use((ctx) => {
        ctx.status = status;
        ctx.body = value;
      });
      const ours = new Koa();
      ours.use((ctx) => answerJson(ctx, status, value));
      const started = [await listen(koa), await listen(ours)];
      servers.push(...started.map(({ server }) => server));
      const [expected, actual] = await Promise.all(started.map(({ port }) => rawRequest(port, 'GET', '/')));
      expect(comparable(actual!)).to.deep.equal(comparable(expected!));
      expect(actual!.headers['content-type']).to.equal('application/json; charset=utf-8');
    });
  }

  it("leaves Node's undici unloaded while the built service answers probes, resources and errors", async function () {
    this.timeout(30_000);
    // The service's own process: the test runner has long loaded undici (through fetch, and the
    // ES module import of node:http). Loading it costs a fresh process tens of milliseconds.
    const report =
      "process.on('exit', () => process.stderr.write('undici loaded: ' + process.moduleLoadList.some((name) => name.includes('undici'))))";
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(report)}`, mainScript], {
      env: {
        PATH: process.env['PATH'] ?? '',
        PROVIDER_TYPE: 'local',
        SERVER_HOST: '127.0.0.1',
        SERVER_PORT: String(port),
        METRICS_PORT: String(await freePort()),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = once(child, 'exit');
    try {
      await eventually(
        'the service to be ready',
        async () => (await rawRequest(port, 'GET', '/readyz').catch(() => undefined))?.status === 200,
      );
      const pipeline = DefinitionBodyMother.pipeline();
      const statuses = [
        (await rawRequest(port, 'POST', '/resource/pipeline', pipeline)).status,
        (await rawRequest(port, 'POST', '/resource/run', DefinitionBodyMother.run())).status,
        (await rawRequest(port, 'GET', '/nowhere')).status,
        (await rawRequest(port, 'POST', '/resource/run', { name: 42 })).status,
        (await rawRequest(port, 'PATCH', '/resource/run/x', {})).status,
      ];
      expect(statuses).to.deep.equal([201, 201, 404, 400, 405]);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    expect(stderr).to.include('undici loaded: false');
  });
});
