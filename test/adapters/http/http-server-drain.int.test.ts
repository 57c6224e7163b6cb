import { Agent } from 'node:http';
import { connect } from 'node:net';
import { expect } from 'chai';
import { type CallOutcome, keepAliveCall } from '../../support/keep-alive-call.js';
import { InMemoryProvider } from '../../../src/testing/in-memory-provider.js';
import { DefinitionBodyMother } from '../../support/definition-mother.js';
import { eventually } from '../../support/eventually.js';
import { type RunningApp, startApp } from '../../support/http-app-harness.js';

describe('HTTP server shutdown', function () {
  this.timeout(20_000);
  let running: RunningApp | undefined;
  const agents: Agent[] = [];

  afterEach(async () => {
    for (const agent of agents.splice(0)) agent.destroy();
    await running?.close();
    running = undefined;
  });

  function keepAliveAgent(): Agent {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    return agent;
  }

  it('answers every request with Connection: close once draining, while the port stays open', async () => {
    running = await startApp(new InMemoryProvider());
    const agent = keepAliveAgent();
    expect(await keepAliveCall(running.baseUrl, agent, '/livez')).to.deep.include({ status: 200, connection: 'keep-alive' });
    running.server.drain();
    expect(await keepAliveCall(running.baseUrl, agent, '/livez')).to.deep.include({ status: 200, connection: 'close' });
    expect(await keepAliveCall(running.baseUrl, agent, '/livez')).to.deep.include({ status: 200, connection: 'close' });
  });

  it('closes an idle keep-alive connection once it has been quiet for a second after draining begins', async () => {
    running = await startApp(new InMemoryProvider(), {}, { keepAliveTimeoutMs: 60_000 });
    const socket = connect(Number(new URL(running.baseUrl).port), '127.0.0.1');
    let closed = false;
    socket.on('close', () => (closed = true)).on('error', () => undefined);
    socket.write('GET /livez HTTP/1.1\r\nhost: x\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    const drainedAt = Date.now();
    running.server.drain();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(closed, 'closed before it was quiet for a second').to.equal(false);
    await eventually('the quiet connection to be closed', () => closed, 3000);
    expect(Date.now() - drainedAt).to.be.within(900, 2000);
  });

  it('lets 50 keep-alive clients that keep sending through close with an answer or a refusal, never a reset', async () => {
    running = await startApp(new InMemoryProvider());
    const base = running.baseUrl;
    const outcomes: CallOutcome[] = [];
    const answered = new Set<number>();
    let closing = false;
    const experiment = JSON.stringify(DefinitionBodyMother.experiment());
    const clients = Array.from({ length: 50 }, async (_, index) => {
      const agent = keepAliveAgent();
      for (;;) {
        const outcome = await keepAliveCall(base, agent, index % 2 ? '/livez' : '/resource/experiment', index % 2 ? undefined : experiment);
        outcomes.push(outcome);
        if (outcome.status) answered.add(index);
        if (closing && outcome.error) return;
      }
    });
    // Each client holds its connection by now: a connection still waiting in the listen backlog
    // when the port closes is reset by the kernel, which no server can prevent; in a pod the
    // shutdown delay keeps new connections away from a closing port.
    await eventually('every client to have been answered once', () => answered.size === 50, 10_000);
    closing = true;
    await running.server.close(2000);
    await Promise.all(clients);
    const failures = outcomes.filter((outcome) => outcome.error !== undefined && outcome.error !== 'ECONNREFUSED');
    expect(failures, JSON.stringify(failures.slice(0, 5))).to.deep.equal([]);
    expect(outcomes.filter((outcome) => outcome.connection === 'close').length).to.be.above(0);
  });
});
