import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { publishRunsInto } from '../../../src/adapters/local/create-local-provider.js';
import { LocalProvider } from '../../../src/adapters/local/local-provider.js';
import { runCompletionEventCodec } from '../../../src/adapters/local/local-state-codec.js';
import { SqliteRunEventSource } from '../../../src/adapters/local/sqlite-run-event-source.js';
import { SqliteStateStore } from '../../../src/adapters/local/sqlite-state-store.js';
import { silentLogger } from '../../../src/adapters/logging/silent-logger.js';
import { parseCron } from '../../../src/domain/cron.js';
import type { PipelineResource } from '../../../src/domain/definitions.js';
import type { RunCompletionEvent } from '../../../src/domain/run-completion-event.js';
import { RunDefinitionMother } from '../../support/definition-mother.js';
import { eventually } from '../../support/eventually.js';

const pipeline: PipelineResource = {
  definition: {
    name: { namespace: 'team', name: 'pipe' },
    version: '0.0.1',
    image: 'img',
    env: [],
    framework: { name: 'tfx', parameters: {} },
  },
  compiledPipeline: {},
};

class SettableClock {
  constructor(public current: Date) {}
  now(): Date {
    return this.current;
  }
}

describe('local provider state across restarts', () => {
  let dir: string;
  let file: string;
  const providers: LocalProvider[] = [];
  let sequence = 0;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-provider-'));
    file = join(dir, 'state.db');
  });

  afterEach(async () => {
    for (const provider of providers.splice(0)) await provider.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function providerOn(
    options: { clock?: { now(): Date }; runDurationMs?: number; published?: RunCompletionEvent[]; durableEvents?: boolean } = {},
  ): Promise<{ provider: LocalProvider; state: SqliteStateStore }> {
    const state = await SqliteStateStore.openFile(file, 0);
    const clock = options.clock ?? { now: () => new Date() };
    const events = new SqliteRunEventSource({ store: state, codec: runCompletionEventCodec, clock });
    const provider = new LocalProvider({
      runDurationMs: options.runDurationMs ?? 60_000,
      artifactRoot: 'gs://root',
      providerName: { namespace: 'ops', name: 'local' },
      clock,
      ids: { next: () => `id-${++sequence}` },
      logger: silentLogger,
      state,
      onRunFinished: options.durableEvents ? publishRunsInto(events) : (event) => void options.published?.push(event),
    });
    providers.push(provider);
    return { provider, state };
  }

  it('keeps pipelines, experiments and schedules, so a restarted provider knows them', async () => {
    const before = await providerOn();
    await before.provider.pipeline.create!(pipeline);
    await before.provider.experiment.create!({ name: { namespace: 'team', name: 'exp' }, version: 'v1', description: 'd' });
    const scheduleId = await before.provider.runschedule.create!(RunDefinitionMother.schedule());
    await before.provider.close();

    const after = await providerOn();
    expect(await after.provider.run.create!(RunDefinitionMother.valid())).to.be.a('string');
    expect(await after.provider.runschedule.update!(scheduleId, RunDefinitionMother.schedule())).to.equal(scheduleId);
    expect(after.state.experiment('team/exp')).to.deep.include({ description: 'd' });
    await after.provider.pipeline.delete!('team/pipe');
    await after.provider.runschedule.delete!(scheduleId);
    await after.provider.close();

    const last = await providerOn();
    expect(last.state.schedules()).to.deep.equal([]);
    const refused = await last.provider.run.create!(RunDefinitionMother.valid()).catch((error: Error) => error.message);
    expect(refused).to.include('pipeline team/pipe does not exist');
  });

  it('finishes an unfinished run when it is due, and at once when that time passed while stopped', async () => {
    const clock = new SettableClock(new Date('2030-01-01T00:00:00.000Z'));
    const before = await providerOn({ clock });
    await before.provider.pipeline.create!(pipeline);
    const runId = await before.provider.run.create!(RunDefinitionMother.valid());
    await before.provider.close();

    clock.current = new Date('2030-01-01T00:05:00.000Z');
    const published: RunCompletionEvent[] = [];
    const after = await providerOn({ clock, published });
    await eventually('the resumed run to finish', () => published.length === 1, 2000);
    expect(published[0]).to.deep.include({
      runId,
      status: 'succeeded',
      runStartTime: new Date('2030-01-01T00:00:00.000Z'),
      runEndTime: new Date('2030-01-01T00:05:00.000Z'),
    });
    expect(after.state.runs()).to.deep.equal([]);
  });

  it('fires a schedule that missed firings while stopped once at start-up, not once per missed firing', async () => {
    const clock = new SettableClock(new Date('2030-01-01T00:00:30.000Z'));
    const before = await providerOn({ clock });
    await before.provider.pipeline.create!(pipeline);
    const scheduleId = await before.provider.runschedule.create!(
      RunDefinitionMother.schedule({ schedule: { cron: parseCron('* * * * *') } }),
    );
    await before.provider.close();

    clock.current = new Date('2030-01-01T00:10:30.000Z');
    const after = await providerOn({ clock });
    const runs = after.state.runs();
    expect(runs).to.have.length(1);
    expect(runs[0]!.startedAt).to.deep.equal(clock.current);
    expect(runs[0]!.definition).to.deep.include({
      name: { namespace: '', name: '' },
      triggerIndicator: { type: 'schedule', source: 'nightly', sourceNamespace: 'team' },
    });
    expect(after.state.schedules()[0]).to.deep.include({ id: scheduleId, accountedUntil: clock.current });
    await after.provider.close();

    // The catch-up firing is recorded with its run: starting again at the same time fires nothing more.
    const again = await providerOn({ clock });
    expect(again.state.runs()).to.have.length(1);
  });

  it('fires nothing at start-up for a schedule that missed no firing', async () => {
    const clock = new SettableClock(new Date('2030-01-01T00:00:10.000Z'));
    const before = await providerOn({ clock });
    await before.provider.pipeline.create!(pipeline);
    await before.provider.runschedule.create!(RunDefinitionMother.schedule({ schedule: { cron: parseCron('* * * * *') } }));
    await before.provider.close();

    clock.current = new Date('2030-01-01T00:00:50.000Z');
    const after = await providerOn({ clock });
    expect(after.state.runs()).to.deep.equal([]);
  });

  it('forgets a finished run and stores its event in one commit', async () => {
    const { provider, state } = await providerOn({ runDurationMs: 5, durableEvents: true });
    await provider.pipeline.create!(pipeline);
    const runId = await provider.run.create!(RunDefinitionMother.valid());
    expect(state.runs().map((run) => run.id)).to.deep.equal([runId]);
    await eventually('the run to finish', () => state.events().length === 1, 2000);
    expect(state.runs()).to.deep.equal([]);
    expect(state.events()[0]!.id).to.equal(`run-${runId}`);
  });

  it('publishes nothing and holds no store after close', async () => {
    const published: RunCompletionEvent[] = [];
    const { provider, state } = await providerOn({ runDurationMs: 0, published });
    await provider.pipeline.create!(pipeline);
    await provider.run.create!(RunDefinitionMother.valid());
    await provider.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(published).to.deep.equal([]);
    expect(state.closed).to.equal(true);
  });
});
