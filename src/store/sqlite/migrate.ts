import type Database from 'better-sqlite3';
import { refuseUnknownVersions, type Migration } from '../migrations/load.js';
import { StoreError } from '../store-error.js';

// Applied at start inside one BEGIN IMMEDIATE transaction: a second process opening the same
// file at the same moment waits for the lock, then finds every version recorded and applies
// nothing. SQLite DDL is transactional, so a failed migration leaves the schema untouched.
export function migrateSqlite(db: Database.Database, migrations: Migration[], now: Date): number[] {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
    refuseUnknownVersions(applied, migrations);
    const done: number[] = [];
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      db.exec(m.sql);
      record.run(m.version, m.name, now.toISOString());
      done.push(m.version);
    }
    db.exec('COMMIT');
    return done;
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    if (err instanceof StoreError) throw err;
    throw new StoreError('STORE_MIGRATION_FAILED', `Could not migrate the SQLite store: ${(err as Error).message}`, { cause: err });
  }
}
