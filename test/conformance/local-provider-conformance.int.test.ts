import { expect } from 'chai';
import { createProviderService, type ProviderService } from '../../src/composition/create-provider-service.js';
import { listConformanceRules, runConformance } from '../../src/conformance/run-conformance.js';
import { runCommand } from './run-command.js';

describe('conformance against the local provider', () => {
  let service: ProviderService | undefined;

  beforeEach(async () => {
    service = createProviderService({ provider: 'local', listen: true });
    await service.start();
  });

  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });

  it('passes every default rule and exits 0', async () => {
    const run = await runCommand([service!.url!]);

    expect(run.failing, run.output).to.deep.equal([]);
    expect(run.code).to.equal(0);
    const defaults = listConformanceRules().filter((rule) => !rule.mutating);
    expect(run.output.trimEnd().split('\n')).to.have.length(defaults.length + 2);
    expect(run.summary).to.match(/^\d+ passed, 0 failed(, \d+ skipped)?$/);
  });

  it('passes every rule with --mutating', async () => {
    const run = await runCommand(['--mutating', service!.url!]);

    expect(run.failing, run.output).to.deep.equal([]);
    expect(run.code).to.equal(0);
    expect(run.passing).to.include.members(['pipeline-lifecycle', 'experiment-lifecycle', 'runschedule-lifecycle']);
  });

  it('reports every default rule programmatically, with the exchange that decided it', async () => {
    const report = await runConformance({ baseUrl: service!.url! });

    expect(report.results.map((result) => result.rule)).to.deep.equal(
      listConformanceRules()
        .filter((rule) => !rule.mutating)
        .map((rule) => rule.name),
    );
    expect(report.passed + report.failed + report.skipped).to.equal(report.results.length);
    const unknownType = report.results.find((result) => result.rule === 'unknown-type');
    expect(unknownType).to.deep.include({ outcome: 'PASS' });
    expect(unknownType?.exchange?.request).to.deep.include({ method: 'POST', path: '/resource/no-such-type' });
    expect(unknownType?.exchange?.answer?.status).to.equal(404);
  });
});
