import type pg from 'pg';
import { refuseUnknownVersions, type Migration } from '../migrations/load.js';
import { StoreError } from '../store-error.js';

// Several replicas may start together. Each migrates in one transaction that first takes a
// transaction-scoped advisory lock, so they queue: the first applies what is missing, the
// others then find every version recorded. PostgreSQL DDL is transactional: a failure leaves
// nothing half-applied, and the lock is released with the transaction.
export const MIGRATION_LOCK_KEY = '7215460337'; // any fixed bigint, unique to triage-bot

export async function migratePostgres(pool: pg.Pool, migrations: Migration[], now: Date): Promise<number[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)');
    const r = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(r.rows.map((row) => row.version));
    refuseUnknownVersions(applied, migrations);
    const done: number[] = [];
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now]);
      done.push(m.version);
    }
    await client.query('COMMIT');
    return done;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    if (err instanceof StoreError) throw err;
    throw new StoreError('STORE_MIGRATION_FAILED', `Could not migrate the PostgreSQL store: ${(err as Error).message}`, { cause: err });
  } finally {
    client.release(broken);
  }
}
