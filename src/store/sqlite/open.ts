import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadMigrations } from '../migrations/load.js';
import { SqlStore } from '../sql/sql-store.js';
import type { Store } from '../store.js';
import { StoreError } from '../store-error.js';
import { migrateSqlite } from './migrate.js';
import { SqliteDb } from './sqlite-db.js';

/** Opens (creating the file and its folder when missing) and migrates a SQLite store. */
export interface SqliteOptions {
  /** How long a write waits for another process's lock before failing (default 5 s). */
  busyTimeoutMs?: number;
}

export function openSqliteStore(filename: string, options: SqliteOptions = {}, now = new Date()): Store {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  let db: SqliteDb;
  try {
    db = SqliteDb.open(filename, options.busyTimeoutMs);
  } catch (err) {
    throw new StoreError('STORE_UNAVAILABLE', `Cannot open the SQLite store ${filename}: ${(err as Error).message}`, { cause: err });
  }
  try {
    migrateSqlite(db.raw, loadMigrations('sqlite'), now);
  } catch (err) {
    db.raw.close();
    throw err;
  }
  return new SqlStore(db);
}
