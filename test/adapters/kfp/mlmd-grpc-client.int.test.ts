import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { MlmdGrpcClient } from '../../../src/adapters/kfp/mlmd-grpc-client.js';
import { BackendError } from '../../../src/domain/errors.js';
import { eventually } from '../../support/eventually.js';
import { FakeMlmdServer, realisticComponents, realisticMlmdRun } from './fake-mlmd-server.js';

describe('MlmdGrpcClient against an in-test ML Metadata server', () => {
  let mlmd: FakeMlmdServer;
  let client: MlmdGrpcClient;

  beforeEach(async () => {
    mlmd = await new FakeMlmdServer().start();
    client = new MlmdGrpcClient({ address: mlmd.address, timeoutMs: 2000 });
  });

  afterEach(async () => {
    client.close();
    await mlmd.stop();
  });

  it('turns a run’s executions and output artifacts into pipeline components', async () => {
    mlmd.runs.set('run-1', realisticMlmdRun());
    expect(await client.pipelineComponents('run-1')).to.deep.equal(realisticComponents);
    expect(mlmd.calls.map((call) => call.method)).to.deep.equal([
      'GetContextByTypeAndName',
      'GetExecutionsByContext',
      'GetEventsByExecutionIDs',
      'GetArtifactsByID',
    ]);
    expect(mlmd.calls[0]!.request).to.deep.equal({ type_name: 'system.PipelineRun', context_name: 'run-1' });
    expect(mlmd.calls[1]!.request).to.deep.equal({ context_id: '17' });
    expect(mlmd.calls[2]!.request['execution_ids']).to.deep.equal(['100', '101', '102', '103']);
    expect(mlmd.calls[3]!.request['artifact_ids']).to.have.members(['200', '201', '202', '203']);
  });

  it('answers undefined when MLMD has no context for the run', async () => {
    expect(await client.pipelineComponents('unknown')).to.equal(undefined);
    expect(mlmd.calls).to.have.length(1);
  });

  it('asks for events and artifacts even for a run without executions, and answers []', async () => {
    mlmd.runs.set('empty', { contextId: '5', executions: [], events: [], artifacts: [] });
    expect(await client.pipelineComponents('empty')).to.deep.equal([]);
    expect(mlmd.calls.map((call) => call.method)).to.have.length(4);
  });

  it('reconnects by itself once MLMD is back on the same address after it went away', async () => {
    mlmd.runs.set('run-1', realisticMlmdRun());
    expect(await client.pipelineComponents('run-1')).to.deep.equal(realisticComponents);
    await mlmd.stop();
    // Every call while MLMD is away fails at once (the channel is in TRANSIENT_FAILURE), which
    // the event pipeline turns into a retry of the event.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const error = await client.pipelineComponents('run-1').catch((caught: Error) => caught);
      expect(error).to.be.instanceOf(BackendError);
      expect(((error as Error).cause as { code?: number }).code).to.equal(status.UNAVAILABLE);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await mlmd.restart();
    const back = Date.now();
    await eventually(
      'a call to succeed again',
      async () => (await client.pipelineComponents('run-1').catch(() => undefined)) !== undefined,
      10_000,
      100,
    );
    expect(Date.now() - back).to.be.below(6000);
  });

  it('fails with a BackendError naming the call when MLMD fails', async () => {
    mlmd.failWith = status.UNAVAILABLE;
    const error = await client.pipelineComponents('run-1').catch((caught: Error) => caught);
    expect(error).to.be.instanceOf(BackendError);
    expect((error as Error).message)
      .to.contain('ML Metadata GetContextByTypeAndName')
      .and.contain('metadata store unavailable');
  });
});
