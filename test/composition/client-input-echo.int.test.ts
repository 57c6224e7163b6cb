import { Writable } from 'node:stream';
import { expect } from 'chai';
import { createPinoLogger } from '../../src/adapters/logging/pino-logger.js';
import { createProviderService, type ProviderService } from '../../src/composition/create-provider-service.js';
import { kfpTestEnvironment } from '../adapters/kfp/kfp-test-environment.js';
import { FakeKfpServer } from '../adapters/kfp/fake-kfp-server.js';
import { DefinitionBodyMother } from '../support/definition-mother.js';
import { send } from '../support/http-client.js';

// SPEC §6: client input is never echoed whole. Whatever a client sends, an answer quotes at most
// about 200 characters of it and no log line is longer than 16 KiB.
const longestLogLine = 16 * 1024;
const longestAnswer = 1000;

describe('client input is never echoed whole (kfp in relay mode, real logs)', function () {
  this.timeout(20_000);
  let kfp: FakeKfpServer;
  let service: ProviderService;
  let logged = '';

  beforeEach(async () => {
    kfp = await new FakeKfpServer().start();
    logged = '';
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged += chunk.toString('utf8');
        done();
      },
    });
    service = createProviderService({
      config: { ...kfpTestEnvironment(kfp.url), PARAMETERS_KFPWORKFLOWEVENTS: 'relay', LOG_LEVEL: 'debug' },
      logger: createPinoLogger('debug', destination),
    });
    await service.start();
  });

  afterEach(async () => {
    await service.stop();
    await kfp.stop();
  });

  function expectShortLogs(): void {
    const lines = logged.split('\n').filter((line) => line !== '');
    expect(lines.length).to.be.greaterThan(0);
    for (const line of lines) {
      expect(line.length).to.be.lessThan(longestLogLine);
      expect(() => JSON.parse(line) as unknown).not.to.throw();
    }
  }

  const hugeName = `team/${'n'.repeat(1_500_000)}`;
  const cases = [
    { method: 'POST', path: '/resource/run', body: DefinitionBodyMother.run({ name: hugeName }) },
    { method: 'POST', path: '/resource/pipeline', body: DefinitionBodyMother.pipeline({ pipelineDefinition: { name: hugeName } }) },
    { method: 'PUT', path: '/resource/experiment/team%2Fexp', body: DefinitionBodyMother.experiment({ name: hugeName.toUpperCase() }) },
    {
      method: 'POST',
      path: '/resource/runschedule',
      body: DefinitionBodyMother.runSchedule({ schedule: { cronExpression: `${'1,'.repeat(500_000)}1 * * * *x` } }),
    },
  ];
  for (const { method, path, body } of cases) {
    it(`answers ${method} ${path} with a 1.5 MB value with a short 400 and short log lines, before any KFP call`, async () => {
      const answer = await send(service.url!, method, path, { json: body });
      expect(answer.status).to.equal(400);
      expect(answer.text.length).to.be.lessThan(longestAnswer);
      expect(kfp.requests).to.have.length(0);
      expectShortLogs();
    });
  }

  it('answers a 3 MB malformed relay body and logs it in short lines', async () => {
    const malformed = JSON.stringify({ kind: 'Workflow', metadata: { name: 'w'.repeat(3_000_000) }, status: 'nonsense' });
    const answer = await send(service.url!, 'POST', '/events/argo-workflows', { body: malformed, contentType: 'application/json' });
    expect(answer.status).to.be.oneOf([200, 400]);
    expect(answer.text.length).to.be.lessThan(longestAnswer);
    const garbage = await send(service.url!, 'POST', '/events/argo-workflows', {
      body: `{${'x'.repeat(3_000_000)}`,
      contentType: 'application/json',
    });
    expect(garbage.text.length).to.be.lessThan(longestAnswer);
    expectShortLogs();
  });
});
