import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { StateFileError } from '../../../src/adapters/local/open-state-database.js';
import { SqliteStateStore } from '../../../src/adapters/local/sqlite-state-store.js';
import { parseCron } from '../../../src/domain/cron.js';
import type { PipelineResource } from '../../../src/domain/definitions.js';
import { RunDefinitionMother } from '../../support/definition-mother.js';
import { rejection } from '../../support/rejection.js';

function pipeline(version: string): PipelineResource {
  return {
    definition: { name: { namespace: 'team', name: 'pipe' }, version, image: 'img', env: [], framework: { name: 'tfx', parameters: {} } },
    compiledPipeline: { pipelineInfo: { name: 'pipe' } },
  };
}

describe('sqlite state store', () => {
  let dir: string;
  let file: string;
  const open: SqliteStateStore[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-state-'));
    file = join(dir, 'state.db');
  });

  afterEach(async () => {
    for (const store of open.splice(0)) store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function openStore(lockWaitMs = 0): Promise<SqliteStateStore> {
    const store = await SqliteStateStore.openFile(file, lockWaitMs);
    open.push(store);
    return store;
  }

  it('keeps pipelines with their versions, experiments, schedules, runs and events across a reopen', async () => {
    const first = await openStore();
    first.savePipeline('team/pipe', pipeline('1'));
    first.savePipeline('team/pipe', pipeline('2'));
    first.saveExperiment('team/exp', { name: { namespace: 'team', name: 'exp' }, version: 'v1', description: 'd' });
    const startTime = new Date('2030-01-01T00:00:00.000Z');
    const schedule = RunDefinitionMother.schedule({ schedule: { cron: parseCron('* * * * *'), startTime } });
    first.saveSchedule('s-1', schedule, new Date(1000));
    first.accountSchedule('s-1', new Date(2000));
    const run = { id: 'r-1', definition: RunDefinitionMother.valid(), startedAt: new Date(10), dueAt: new Date(20) };
    first.saveRun(run);
    first.addEvent('e-1', '{"n":1}', new Date(30));
    first.addEvent('e-2', '{"n":2}', new Date(40));
    first.close();

    const second = await openStore();
    expect([...(second.pipelineVersions('team/pipe') ?? [])].sort()).to.deep.equal(['1', '2']);
    expect(second.experiment('team/exp')).to.deep.equal({ name: { namespace: 'team', name: 'exp' }, version: 'v1', description: 'd' });
    expect(second.hasSchedule('s-1')).to.equal(true);
    expect(second.schedules()).to.deep.equal([{ id: 's-1', definition: schedule, accountedUntil: new Date(2000) }]);
    expect(second.schedules()[0]!.definition.schedule.startTime).to.be.instanceOf(Date);
    expect(second.runs()).to.deep.equal([run]);
    expect(second.events()).to.deep.equal([
      { id: 'e-1', firstSeenAt: new Date(30) },
      { id: 'e-2', firstSeenAt: new Date(40) },
    ]);
    expect(second.eventPayload('e-2')).to.equal('{"n":2}');
  });

  it('forgets what is deleted', async () => {
    const store = await openStore();
    store.savePipeline('team/pipe', pipeline('1'));
    store.deletePipeline('team/pipe');
    store.savePipeline('team/pipe', pipeline('2'));
    expect([...(store.pipelineVersions('team/pipe') ?? [])]).to.deep.equal(['2']);
    expect(store.pipelineVersions('team/other')).to.equal(undefined);
    store.saveRun({ id: 'r-1', definition: RunDefinitionMother.valid(), startedAt: new Date(1), dueAt: new Date(2) });
    expect(store.deleteRun('r-1')).to.equal(true);
    expect(store.deleteRun('r-1')).to.equal(false);
    store.addEvent('e-1', '{}', new Date(1));
    store.deleteEvent('e-1');
    expect(store.eventPayload('e-1')).to.equal(undefined);
    expect(store.events()).to.deep.equal([]);
  });

  it('keeps all or nothing of a transaction', async () => {
    const store = await openStore();
    expect(() =>
      store.transaction(() => {
        store.addEvent('e-1', '{}', new Date(1));
        store.addEvent('e-1', '{}', new Date(1));
      }),
    ).to.throw();
    expect(store.events()).to.deep.equal([]);
    store.transaction(() => store.transaction(() => store.addEvent('e-2', '{}', new Date(1))));
    expect(store.events().map((event) => event.id)).to.deep.equal(['e-2']);
  });

  it('refuses a file of garbage bytes, naming it', async () => {
    await writeFile(file, Buffer.from('this is certainly not a SQLite database, just some bytes'.repeat(100)));
    const error = await rejection(SqliteStateStore.openFile(file, 0));
    expect(error).to.be.instanceOf(StateFileError);
    expect(error.message).to.include(file).and.include('not a database');
  });

  it('refuses a directory and a path in a missing directory, naming them', async () => {
    for (const path of [dir, join(dir, 'missing', 'state.db')]) {
      const error = await rejection(SqliteStateStore.openFile(path, 0));
      expect(error, path).to.be.instanceOf(StateFileError);
      expect(error.message).to.include(`"${path}"`).and.include('cannot be used');
    }
  });

  it('refuses a file written by a newer schema', async () => {
    const { DatabaseSync } = await import('node:sqlite');
    const newer = new DatabaseSync(file);
    newer.exec('PRAGMA user_version = 99');
    newer.close();
    const error = await rejection(SqliteStateStore.openFile(file, 0));
    expect(error.message).to.include(file).and.include('newer version');
  });

  it('names the file when a stored row no longer reads', async () => {
    const { DatabaseSync } = await import('node:sqlite');
    (await openStore()).close();
    const db = new DatabaseSync(file);
    db.prepare('INSERT INTO runs (id, definition, started_at, due_at) VALUES (?, ?, ?, ?)').run('r-1', '{broken', 1, 2);
    db.close();
    const store = await openStore();
    expect(() => store.runs())
      .to.throw(StateFileError, file)
      .with.property('message')
      .that.includes('run r-1');
  });

  it('refuses a file another holder has, after waiting for it', async () => {
    await openStore();
    const startedAt = Date.now();
    const error = await rejection(SqliteStateStore.openFile(file, 300));
    expect(Date.now() - startedAt).to.be.at.least(280);
    expect(error).to.be.instanceOf(StateFileError);
    expect(error.message).to.include(file).and.include('in use by another process');
  });

  it('takes the file as soon as its holder lets go', async () => {
    const holder = await openStore();
    holder.addEvent('e-1', '{}', new Date(1));
    setTimeout(() => holder.close(), 200);
    const next = await openStore(5000);
    expect(next.events().map((event) => event.id)).to.deep.equal(['e-1']);
  });

  it('keeps an in-memory store to itself', () => {
    const first = SqliteStateStore.inMemory();
    const second = SqliteStateStore.inMemory();
    open.push(first, second);
    first.addEvent('e-1', '{}', new Date(1));
    expect(second.events()).to.deep.equal([]);
  });

  for (const kind of ['in memory', 'in a file'] as const) {
    it(`keeps unfinished runs ${kind}, the one due first first, until they are deleted`, async () => {
      const store = kind === 'in memory' ? SqliteStateStore.inMemory() : await openStore();
      if (kind === 'in memory') open.push(store);
      const run = (id: string, dueAt: number) => ({
        id,
        definition: RunDefinitionMother.valid(),
        startedAt: new Date(1),
        dueAt: new Date(dueAt),
      });
      store.saveRun(run('r-late', 30));
      store.saveRun(run('r-early', 10));
      store.saveRun(run('r-tie', 30));
      expect(() => store.saveRun(run('r-early', 50))).to.throw();
      expect(store.runs().map((stored) => stored.id)).to.deep.equal(['r-early', 'r-late', 'r-tie']);
      expect(store.deleteRun('r-late')).to.equal(true);
      expect(store.deleteRun('r-late')).to.equal(false);
      expect(store.runs().map((stored) => stored.id)).to.deep.equal(['r-early', 'r-tie']);
    });

    it(`takes back the runs saved and deleted ${kind} by a transaction that rolls back`, async () => {
      const store = kind === 'in memory' ? SqliteStateStore.inMemory() : await openStore();
      if (kind === 'in memory') open.push(store);
      const run = (id: string) => ({ id, definition: RunDefinitionMother.valid(), startedAt: new Date(1), dueAt: new Date(10) });
      store.saveRun(run('r-kept'));
      expect(() =>
        store.transaction(() => {
          store.saveRun(run('r-new'));
          expect(store.deleteRun('r-kept')).to.equal(true);
          throw new Error('rolled back');
        }),
      ).to.throw('rolled back');
      expect(store.runs().map((stored) => stored.id)).to.deep.equal(['r-kept']);
      store.transaction(() => store.deleteRun('r-kept'));
      expect(store.runs()).to.deep.equal([]);
    });
  }

  it('answers the pipeline versions that were committed, after a write, a delete and a rollback', () => {
    const store = SqliteStateStore.inMemory();
    open.push(store);
    expect(store.pipelineVersions('team/pipe')).to.equal(undefined);
    store.savePipeline('team/pipe', pipeline('1'));
    expect([...store.pipelineVersions('team/pipe')!]).to.deep.equal(['1']);
    store.savePipeline('team/pipe', pipeline('2'));
    expect([...store.pipelineVersions('team/pipe')!].sort()).to.deep.equal(['1', '2']);
    expect(() =>
      store.transaction(() => {
        store.savePipeline('team/pipe', pipeline('3'));
        expect([...store.pipelineVersions('team/pipe')!].sort()).to.deep.equal(['1', '2', '3']);
        throw new Error('rolled back');
      }),
    ).to.throw('rolled back');
    expect([...store.pipelineVersions('team/pipe')!].sort()).to.deep.equal(['1', '2']);
    store.deletePipeline('team/pipe');
    expect(store.pipelineVersions('team/pipe')).to.equal(undefined);
  });
});
