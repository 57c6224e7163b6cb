import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { ExperimentDefinition, PipelineResource, RunDefinition, RunScheduleDefinition } from '../../domain/definitions.js';
import { decodeStoredSchedule } from './local-state-codec.js';
import { openMemoryStateDatabase, openStateFile, StateFileError } from './open-state-database.js';

/** A run that has not finished: what it runs, when it started and when it is due to finish. */
export interface StoredRun {
  readonly id: string;
  readonly definition: RunDefinition;
  readonly startedAt: Date;
  readonly dueAt: Date;
}

/** A run schedule and the instant up to which its firings are accounted for (fired, or skipped on purpose). */
export interface StoredSchedule {
  readonly id: string;
  readonly definition: RunScheduleDefinition;
  readonly accountedUntil: Date;
}

/** An event not yet delivered, without its payload (read on demand, so a backlog stays on disk). */
export interface StoredEvent {
  readonly id: string;
  readonly firstSeenAt: Date;
}

interface Row {
  readonly [column: string]: unknown;
}

// The statements, prepared once. Each method of the store is one of them, named after it.
const statements = {
  savePipeline: 'INSERT INTO pipelines (id, resource) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET resource = excluded.resource',
  addPipelineVersion: 'INSERT OR IGNORE INTO pipeline_versions (pipeline_id, version) VALUES (?, ?)',
  hasPipeline: 'SELECT 1 AS found FROM pipelines WHERE id = ?',
  pipelineVersions: 'SELECT version FROM pipeline_versions WHERE pipeline_id = ?',
  deletePipeline: 'DELETE FROM pipelines WHERE id = ?',
  deletePipelineVersions: 'DELETE FROM pipeline_versions WHERE pipeline_id = ?',
  saveExperiment: 'INSERT INTO experiments (id, definition) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET definition = excluded.definition',
  experiment: 'SELECT definition FROM experiments WHERE id = ?',
  deleteExperiment: 'DELETE FROM experiments WHERE id = ?',
  saveSchedule:
    'INSERT INTO schedules (id, definition, accounted_until) VALUES (?, ?, ?) ' +
    'ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, accounted_until = excluded.accounted_until',
  accountSchedule: 'UPDATE schedules SET accounted_until = ? WHERE id = ?',
  hasSchedule: 'SELECT 1 AS found FROM schedules WHERE id = ?',
  schedules: 'SELECT id, definition, accounted_until FROM schedules ORDER BY rowid',
  deleteSchedule: 'DELETE FROM schedules WHERE id = ?',
  saveRun: 'INSERT INTO runs (id, definition, started_at, due_at) VALUES (?, ?, ?, ?)',
  runs: 'SELECT id, definition, started_at, due_at FROM runs ORDER BY due_at, rowid',
  deleteRun: 'DELETE FROM runs WHERE id = ?',
  addEvent: 'INSERT INTO events (id, payload, first_seen_at) VALUES (?, ?, ?)',
  eventPayload: 'SELECT payload FROM events WHERE id = ?',
  events: 'SELECT id, first_seen_at FROM events ORDER BY seq',
  deleteEvent: 'DELETE FROM events WHERE id = ?',
} as const;

/**
 * The local provider's state in SQLite: pipelines and their versions, experiments, schedules,
 * unfinished runs and undelivered events, one table each, through explicit methods. In memory
 * ({@link inMemory}) or in a file that this process holds alone ({@link openFile}).
 *
 * Every method is synchronous (node:sqlite is), so a group of them in {@link transaction} is
 * atomic with respect to a crash and to everything else in the process.
 */
export class SqliteStateStore {
  readonly #db: DatabaseSync;
  readonly #location: string;
  readonly #statements: { readonly [K in keyof typeof statements]: StatementSync };
  #closed = false;
  #transactionDepth = 0;
  // The versions of each pipeline read so far: every run asks, and only this store writes them.
  // Forgotten whole when a transaction rolls back, since it may hold what was rolled back.
  readonly #versions = new Map<string, Set<string>>();
  // A store in memory keeps unfinished runs in a map: they end with the process either way, and
  // writing each run as JSON into a table cost a tenth of the service's time per run.
  readonly #memoryRuns: Map<string, StoredRun> | undefined;
  // How to take back the changes to #memoryRuns of the open transaction, should it roll back.
  #undoMemoryRuns: (() => void)[] = [];

  /**
   * `location` names the database in errors: its file, or `:memory:`. `runsInMemory` keeps the
   * unfinished runs out of the database, for a store that ends with the process anyway.
   */
  private constructor(db: DatabaseSync, location: string, runsInMemory: boolean) {
    this.#db = db;
    this.#location = location;
    this.#memoryRuns = runsInMemory ? new Map() : undefined;
    this.#statements = Object.fromEntries(Object.entries(statements).map(([name, sql]) => [name, db.prepare(sql)])) as {
      [K in keyof typeof statements]: StatementSync;
    };
  }

  /** A store that ends with the process. */
  static inMemory(): SqliteStateStore {
    return new SqliteStateStore(openMemoryStateDatabase(), ':memory:', true);
  }

  /** A store in `path`, taken for this process alone; see `openStateFile` for what it refuses. */
  static async openFile(path: string, lockWaitMs: number): Promise<SqliteStateStore> {
    return new SqliteStateStore(await openStateFile(path, lockWaitMs), path, false);
  }

  // Outside a transaction a change is final at once, like an autocommitted statement.
  #onRollback(undo: () => void): void {
    if (this.#transactionDepth > 0) this.#undoMemoryRuns.push(undo);
  }

  /** True after {@link close}. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs `work` as one transaction: all of its writes are kept, or none when it throws. Inside
   * another transaction, `work` simply becomes part of it.
   */
  transaction<T>(work: () => T): T {
    if (this.#transactionDepth > 0) return work();
    this.#db.exec('BEGIN IMMEDIATE');
    this.#transactionDepth += 1;
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      this.#db.exec('ROLLBACK');
      this.#versions.clear();
      for (const undo of this.#undoMemoryRuns.reverse()) undo();
      throw error;
    } finally {
      this.#undoMemoryRuns = [];
      this.#transactionDepth -= 1;
    }
  }

  /**
   * Stores a pipeline's definition (replacing the previous one) and adds its version. The
   * compiled pipeline is not kept: the local provider never runs it and nothing reads it back,
   * and writing it out again as JSON cost more than the request's parsing of it.
   */
  savePipeline(id: string, resource: PipelineResource): void {
    this.transaction(() => {
      this.#statements.savePipeline.run(id, JSON.stringify({ definition: resource.definition }));
      this.#statements.addPipelineVersion.run(id, resource.definition.version);
      this.#versions.get(id)?.add(resource.definition.version);
    });
  }

  /** The versions ever stored for a pipeline, or `undefined` when there is no such pipeline. */
  pipelineVersions(id: string): ReadonlySet<string> | undefined {
    const known = this.#versions.get(id);
    if (known) return known;
    if (!this.#statements.hasPipeline.get(id)) return undefined;
    const versions = new Set((this.#statements.pipelineVersions.all(id) as Row[]).map((row) => row['version'] as string));
    this.#versions.set(id, versions);
    return versions;
  }

  /** Forgets a pipeline and its versions. */
  deletePipeline(id: string): void {
    this.transaction(() => {
      this.#statements.deletePipeline.run(id);
      this.#statements.deletePipelineVersions.run(id);
      this.#versions.delete(id);
    });
  }

  /** Stores an experiment, replacing the previous definition. */
  saveExperiment(id: string, definition: ExperimentDefinition): void {
    this.#statements.saveExperiment.run(id, JSON.stringify(definition));
  }

  /** The stored experiment, if any. */
  experiment(id: string): ExperimentDefinition | undefined {
    const row = this.#statements.experiment.get(id) as Row | undefined;
    return row ? this.#decode(`experiment ${id}`, row['definition'], (text) => JSON.parse(text) as ExperimentDefinition) : undefined;
  }

  /** Forgets an experiment. */
  deleteExperiment(id: string): void {
    this.#statements.deleteExperiment.run(id);
  }

  /** Stores a schedule, replacing the previous definition, with firings accounted for up to `accountedUntil`. */
  saveSchedule(id: string, definition: RunScheduleDefinition, accountedUntil: Date): void {
    this.#statements.saveSchedule.run(id, JSON.stringify(definition), accountedUntil.getTime());
  }

  /** Records that the schedule's firings up to `until` are accounted for. */
  accountSchedule(id: string, until: Date): void {
    this.#statements.accountSchedule.run(until.getTime(), id);
  }

  /** Whether a schedule is stored under `id`. */
  hasSchedule(id: string): boolean {
    return this.#statements.hasSchedule.get(id) !== undefined;
  }

  /** Every stored schedule, oldest first. */
  schedules(): StoredSchedule[] {
    return (this.#statements.schedules.all() as Row[]).map((row) => ({
      id: row['id'] as string,
      definition: this.#decode(`schedule ${String(row['id'])}`, row['definition'], decodeStoredSchedule),
      accountedUntil: new Date(row['accounted_until'] as number),
    }));
  }

  /** Forgets a schedule. */
  deleteSchedule(id: string): void {
    this.#statements.deleteSchedule.run(id);
  }

  /** Stores a run that has started. */
  saveRun(run: StoredRun): void {
    const memoryRuns = this.#memoryRuns;
    if (memoryRuns) {
      if (memoryRuns.has(run.id)) throw new Error(`run ${run.id} is already stored`);
      memoryRuns.set(run.id, run);
      this.#onRollback(() => memoryRuns.delete(run.id));
      return;
    }
    this.#statements.saveRun.run(run.id, JSON.stringify(run.definition), run.startedAt.getTime(), run.dueAt.getTime());
  }

  /** Every unfinished run, the one due first first. */
  runs(): StoredRun[] {
    if (this.#memoryRuns) return [...this.#memoryRuns.values()].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
    return (this.#statements.runs.all() as Row[]).map((row) => ({
      id: row['id'] as string,
      definition: this.#decode(`run ${String(row['id'])}`, row['definition'], (text) => JSON.parse(text) as RunDefinition),
      startedAt: new Date(row['started_at'] as number),
      dueAt: new Date(row['due_at'] as number),
    }));
  }

  /** Forgets a run; true when there was one. */
  deleteRun(id: string): boolean {
    const memoryRuns = this.#memoryRuns;
    if (!memoryRuns) return Number(this.#statements.deleteRun.run(id).changes) > 0;
    const run = memoryRuns.get(id);
    if (!run) return false;
    memoryRuns.delete(id);
    this.#onRollback(() => memoryRuns.set(id, run));
    return true;
  }

  /** Stores an undelivered event; an id already stored is an error. */
  addEvent(id: string, payload: string, firstSeenAt: Date): void {
    this.#statements.addEvent.run(id, payload, firstSeenAt.getTime());
  }

  /** The stored payload of an undelivered event, if it is still there. */
  eventPayload(id: string): string | undefined {
    const row = this.#statements.eventPayload.get(id) as Row | undefined;
    return row ? (row['payload'] as string) : undefined;
  }

  /** Every undelivered event, in the order they were added. */
  events(): StoredEvent[] {
    return (this.#statements.events.all() as Row[]).map((row) => ({
      id: row['id'] as string,
      firstSeenAt: new Date(row['first_seen_at'] as number),
    }));
  }

  /** Forgets a delivered event. */
  deleteEvent(id: string): void {
    this.#statements.deleteEvent.run(id);
  }

  // A row that no longer reads (edited by hand, written by a broken build) stops start-up with
  // an error naming the file, like a damaged file does.
  #decode<T>(what: string, stored: unknown, decode: (text: string) => T): T {
    try {
      return decode(String(stored));
    } catch (error) {
      throw new StateFileError(this.#location, `holds a ${what} that cannot be read: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Closes the database, and with it lets go of the file; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}
