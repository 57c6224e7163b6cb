import { connect, type Socket } from 'node:net';
import { expect } from 'chai';
import type { Provider } from '../../../src/ports/provider.js';
import { InMemoryProvider } from '../../../src/testing/in-memory-provider.js';
import { DefinitionBodyMother } from '../../support/definition-mother.js';
import { eventually } from '../../support/eventually.js';
import { send } from '../../support/http-client.js';
import { type RunningApp, startApp } from '../../support/http-app-harness.js';

interface RawConnection {
  readonly socket: Socket;
  /** Everything received so far. */
  readonly received: () => string;
  readonly closed: () => boolean;
}

async function open(port: number, send?: string): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let closed = false;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()).once('close', () => resolve()));
  if (send !== undefined) socket.write(send);
  return { socket, received: () => received, closed: () => closed };
}

function bodyOf(response: string): Record<string, unknown> {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
}

describe('HTTP connections under hostile clients', function () {
  this.timeout(30_000);
  let running: RunningApp | undefined;
  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await running?.close();
    running = undefined;
  });

  async function serve(server: Parameters<typeof startApp>[2], provider = new InMemoryProvider()): Promise<number> {
    running = await startApp(provider, {}, server);
    return Number(new URL(running.baseUrl).port);
  }

  it('of 2,000 idle connections keeps at most its limit open, and still answers /livez', async () => {
    const port = await serve({ connectionLimit: 1000 });
    const connections: RawConnection[] = [];
    for (let batch = 0; batch < 20; batch += 1) {
      const opened = await Promise.all(Array.from({ length: 100 }, () => open(port)));
      connections.push(...opened);
      sockets.push(...opened.map((connection) => connection.socket));
    }
    await eventually('the server to close the connections over its limit', () => connections.filter((c) => c.closed()).length >= 1000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(connections.filter((c) => !c.closed()).length).to.be.at.most(1000);
    for (let probe = 0; probe < 20; probe += 1) expect((await send(running!.baseUrl, 'GET', '/livez')).status).to.equal(200);
  });

  it('refuses a new connection when every connection is busy answering', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const hanging: Provider = {
      pipeline: {},
      run: {},
      runschedule: {},
      experiment: {
        create: async () => {
          await released;
          return 'id';
        },
      },
    };
    running = await startApp(hanging, {}, { connectionLimit: 3 });
    const base = running.baseUrl;
    const busy = Array.from({ length: 3 }, () => send(base, 'POST', '/resource/experiment', { json: DefinitionBodyMother.experiment() }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await open(Number(new URL(base).port), 'GET /livez HTTP/1.1\r\nhost: x\r\n\r\n');
    sockets.push(refused.socket);
    await eventually('the extra connection to be closed', () => refused.closed());
    expect(refused.received()).to.equal('');
    release();
    expect((await Promise.all(busy)).map((answer) => answer.status)).to.deep.equal([201, 201, 201]);
  });

  it('ends a connection that trickles its headers with a JSON 408 once the headers timeout passes', async () => {
    const port = await serve({ headersTimeoutMs: 300, requestTimeoutMs: 5000 });
    const started = Date.now();
    const slow = await open(port, 'POST /resource/experiment HTTP/1.1\r\nhost: x\r\n');
    sockets.push(slow.socket);
    const drip = setInterval(() => slow.socket.write('x-drip: 1\r\n'), 100);
    try {
      await eventually('the slow connection to be ended', () => slow.closed(), 5000);
    } finally {
      clearInterval(drip);
    }
    expect(Date.now() - started).to.be.within(250, 2500);
    expect(slow.received()).to.match(/^HTTP\/1\.1 408 /);
    expect(bodyOf(slow.received())['providerError']).to.include('timeout');
  });

  it('ends a request whose body does not arrive within the request timeout', async () => {
    const port = await serve({ headersTimeoutMs: 200, requestTimeoutMs: 500 });
    const slow = await open(
      port,
      'POST /resource/experiment HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"na',
    );
    sockets.push(slow.socket);
    await eventually('the slow request to be ended', () => slow.closed(), 5000);
    expect(slow.received()).to.match(/^HTTP\/1\.1 408 /);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const port = await serve({ keepAliveTimeoutMs: 200 });
    const idle = await open(port, 'GET /livez HTTP/1.1\r\nhost: x\r\n\r\n');
    sockets.push(idle.socket);
    await eventually('the answer', () => idle.received().includes('\r\n\r\n{}'));
    expect(idle.received()).to.match(/keep-alive: timeout=0\b|Keep-Alive: timeout=0\b/i);
    const answeredAt = Date.now();
    await eventually('the idle connection to be closed', () => idle.closed(), 5000);
    // Node keeps a second's grace beyond the timeout it announces.
    expect(Date.now() - answeredAt).to.be.below(2000);
  });
});
