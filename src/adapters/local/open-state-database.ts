import type * as NodeSqlite from 'node:sqlite';
import type { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../../domain/error-message.js';

/** Why the local provider's state file cannot be used: it names the file and the reason. */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';

  constructor(
    /** The file at fault. */
    readonly path: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`local provider state file "${path}" ${problem}`, options);
  }
}

// Bumped whenever the tables change; a file of a newer schema is refused rather than misread.
const schemaVersion = 1;

const schema = `
  CREATE TABLE pipelines (id TEXT PRIMARY KEY, resource TEXT NOT NULL);
  CREATE TABLE pipeline_versions (pipeline_id TEXT NOT NULL, version TEXT NOT NULL, PRIMARY KEY (pipeline_id, version));
  CREATE TABLE experiments (id TEXT PRIMARY KEY, definition TEXT NOT NULL);
  CREATE TABLE schedules (id TEXT PRIMARY KEY, definition TEXT NOT NULL, accounted_until INTEGER NOT NULL);
  CREATE TABLE runs (id TEXT PRIMARY KEY, definition TEXT NOT NULL, started_at INTEGER NOT NULL, due_at INTEGER NOT NULL);
  CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, payload TEXT NOT NULL, first_seen_at INTEGER NOT NULL);
  PRAGMA user_version = ${schemaVersion};
`;

// SQLITE_BUSY: another connection holds the lock.
const busyCode = 5;
// How often a start-up waiting for the lock tries again.
const lockPollMs = 200;

function sqlite(): typeof NodeSqlite {
  // Loaded on first use, so that importing the library does not need a Node with node:sqlite.
  const module = process.getBuiltinModule('node:sqlite') as typeof NodeSqlite | undefined;
  if (!module)
    throw new Error(
      `the local provider keeps its state with node:sqlite, which Node ${process.version} does not offer; use Node 22.13 or later`,
    );
  return module;
}

function isBusy(error: unknown): boolean {
  return (error as { errcode?: unknown }).errcode === busyCode;
}

function prepareSchema(db: DatabaseSync, path: string): void {
  const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  if (version === schemaVersion) return;
  if (version > schemaVersion) {
    throw new StateFileError(path, `was written by a newer version of the service (schema ${version}; this one reads ${schemaVersion})`);
  }
  db.exec(`BEGIN; ${schema} COMMIT;`);
}

// Exclusive locking mode keeps the file lock from the first write until the connection closes,
// so no other process can even read the file meanwhile. The lock is the kernel's: it goes with
// the process, a SIGKILL included, so a crashed owner never blocks its successor.
function openFile(path: string): DatabaseSync {
  const db = new (sqlite().DatabaseSync)(path, { timeout: 0 });
  try {
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    // WAL without fsync on commit: a commit survives a crash of the process (not of the machine),
    // at a fraction of the cost of a synchronous write per run.
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    const check = db.prepare('PRAGMA quick_check').get() as { quick_check: string } | undefined;
    if (check?.quick_check !== 'ok') throw new StateFileError(path, `is damaged: ${check?.quick_check ?? 'no integrity check result'}`);
    prepareSchema(db, path);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function openFailure(path: string, error: unknown): Error {
  if (error instanceof StateFileError) return error;
  const reason = errorMessage(error);
  const hint = /unable to open/.test(reason) ? ' (its directory must exist and be writable, and the path must name a file)' : '';
  return new StateFileError(path, `cannot be used: ${reason}${hint}`, { cause: error });
}

/** A fresh in-memory database with the state tables, for a local provider without a state file. */
export function openMemoryStateDatabase(): DatabaseSync {
  const db = new (sqlite().DatabaseSync)(':memory:');
  prepareSchema(db, ':memory:');
  return db;
}

/**
 * Opens the state file, creating it and its tables when missing, and takes the file for this
 * process alone. While another process holds it, tries again for up to `lockWaitMs`, then gives
 * up with a {@link StateFileError}; so does a file that is not a state database, or cannot be
 * opened at all.
 */
export async function openStateFile(path: string, lockWaitMs: number): Promise<DatabaseSync> {
  const deadline = performance.now() + lockWaitMs;
  for (;;) {
    try {
      return openFile(path);
    } catch (error) {
      if (!isBusy(error)) throw openFailure(path, error);
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        throw new StateFileError(path, `is in use by another process (one replica per state file); gave up after ${lockWaitMs} ms`, {
          cause: error,
        });
      }
      await sleep(Math.min(lockPollMs, remaining));
    }
  }
}
