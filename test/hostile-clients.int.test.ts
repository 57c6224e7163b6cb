import { Agent } from 'node:http';
import { connect } from 'node:net';
import { expect } from 'chai';
import { type CallOutcome, keepAliveCall } from './support/keep-alive-call.js';
import { RecordingWebhookReceiver } from '../src/testing/recording-webhook-receiver.js';
import { DefinitionBodyMother } from './support/definition-mother.js';
import { eventually } from './support/eventually.js';
import { send } from './support/http-client.js';
import { ServiceProcess } from './support/service-process.js';

async function startedService(env: Record<string, string>): Promise<ServiceProcess> {
  const started = await ServiceProcess.start('service', env);
  try {
    return await started.ready();
  } catch (error) {
    await started.stop();
    throw error;
  }
}

describe('the built service under hostile clients (dist/main.js)', function () {
  this.timeout(30_000);
  let service: ServiceProcess | undefined;
  let receiver: RecordingWebhookReceiver | undefined;

  afterEach(async () => {
    await service?.stop();
    await receiver?.stop();
    service = undefined;
    receiver = undefined;
  });

  it('writes no secret of its configuration or of a request into any log line', async () => {
    receiver = await new RecordingWebhookReceiver().start();
    receiver.answerWith((_request, index) => (index < 2 ? 500 : 200));
    const webhook = new URL(receiver.url);
    const secrets = {
      parameter: 'topsecret-api-token',
      user: 'hook-user-name',
      password: 'hook-password-1',
      query: 'webhook-query-token',
      bearer: 'request-bearer-token-1',
      cookie: 'request-cookie-value-1',
      requestQuery: 'request-query-token',
    };
    service = await startedService({
      LOG_LEVEL: 'debug',
      PARAMETERS_APITOKEN: secrets.parameter,
      PARAMETERS_RUNDURATIONMS: '10',
      EVENTS_RETRY_INITIAL_MS: '20',
      OPERATORWEBHOOK: `http://${secrets.user}:${secrets.password}@${webhook.host}/events?token=${secrets.query}`,
    });
    const base = service.url;
    const headers = { authorization: `Bearer ${secrets.bearer}`, cookie: `session=${secrets.cookie}; theme=dark` };
    expect((await send(base, 'POST', '/resource/pipeline', { json: DefinitionBodyMother.pipeline(), headers })).status).to.equal(201);
    expect((await send(base, 'POST', '/resource/run', { json: DefinitionBodyMother.run(), headers })).status).to.equal(201);
    expect((await send(base, 'PUT', '/resource/run/r-1', { json: DefinitionBodyMother.run(), headers })).status).to.equal(501);
    expect(
      (await send(base, 'POST', '/resource/experiment', { body: '{"name":', contentType: 'application/json', headers })).status,
    ).to.equal(400);
    expect((await send(base, 'GET', `/nowhere?token=${secrets.requestQuery}`, { headers })).status).to.equal(404);
    const malformed = connect(Number(new URL(base).port), '127.0.0.1');
    malformed.on('error', () => undefined);
    malformed.end(`GET /livez HTTP/1.1\r\nauthorization: Bearer ${secrets.bearer}\r\n\u0000bad\r\n\r\n`);
    await receiver.waitForRequests(3);
    expect(await service.kill('SIGTERM')).to.deep.equal({ code: 0, signal: null });

    const lines = [...service.stdout.split('\n'), ...service.stderr.split('\n')].filter((line) => line !== '');
    expect(lines.length).to.be.above(10);
    for (const line of lines) {
      for (const [where, secret] of Object.entries(secrets)) expect(line, `the ${where} secret`).not.to.include(secret);
    }
    const started = JSON.parse(lines.find((line) => line.includes('provider service started'))!) as {
      config: { settings: Record<string, unknown> };
    };
    expect(started.config.settings).to.include({
      PARAMETERS_APITOKEN: '[redacted]',
      OPERATORWEBHOOK: `http://${webhook.host}/events?token=[redacted]`,
      PARAMETERS_RUNDURATIONMS: 10,
    });
  });

  it('refuses a 16 MiB body of 10⁶ keys with 413 while /livez keeps answering, and lives on', async () => {
    service = await startedService({ LOG_LEVEL: 'warn' });
    const base = service.url;
    const keys = Array.from({ length: 1_000_000 }, (_, index) => `"k${String(index).padStart(7, '0')}":${index}`).join(',');
    const body = `{"pipelineDefinition":{"name":"team/pipe","version":"v1"},"compiledPipeline":{${keys}}}`;
    let probes = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        if ((await send(base, 'GET', '/livez')).status === 200) probes += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const answer = await send(base, 'POST', '/resource/pipeline', { body, contentType: 'application/json' });
    polling = false;
    await poller;
    expect(answer.status).to.equal(413);
    expect(probes).to.be.above(0);
    expect((await send(base, 'GET', '/livez')).status).to.equal(200);
    expect(service.running).to.equal(true);
  });

  it('lets 50 keep-alive clients that keep sending through SIGTERM with answers or refusals, never a reset', async () => {
    service = await startedService({ LOG_LEVEL: 'warn' });
    const base = service.url;
    const experiment = JSON.stringify(DefinitionBodyMother.experiment());
    const outcomes: CallOutcome[] = [];
    const answered = new Set<number>();
    const agents = Array.from({ length: 50 }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
    try {
      const clients = agents.map(async (agent, index) => {
        for (;;) {
          const outcome = await keepAliveCall(
            base,
            agent,
            index % 2 ? '/livez' : '/resource/experiment',
            index % 2 ? undefined : experiment,
          );
          outcomes.push(outcome);
          if (outcome.status) answered.add(index);
          if (outcome.error) return;
        }
      });
      await eventually('every client to have been answered once', () => answered.size === 50, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const exit = await service.kill('SIGTERM');
      await Promise.all(clients);
      expect(exit).to.deep.equal({ code: 0, signal: null });
    } finally {
      for (const agent of agents) agent.destroy();
    }
    const resets = outcomes.filter((outcome) => outcome.error !== undefined && outcome.error !== 'ECONNREFUSED');
    expect(resets, JSON.stringify(resets.slice(0, 5))).to.deep.equal([]);
    expect(outcomes.filter((outcome) => outcome.status !== undefined).length).to.be.above(100);
  });
});
