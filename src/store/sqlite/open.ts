import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadMigrations } from '../migrations/load.js';
import { SqlStore } from '../sql/sql-store.js';
import type { Store } from '../store.js';
import { StoreError } from '../store-error.js';
import { migrateSqlite } from './migrate.js';
import { SqliteDb } from './sqlite-db.js';

/** Opens (creating the file and its folder when missing) and migrates a SQLite store. */
export function openSqliteStore(filename: string, now = new Date()): Store {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true });
  let db: SqliteDb;
  try {
    db = SqliteDb.open(filename);
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
