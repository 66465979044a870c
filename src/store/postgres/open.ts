import pg from 'pg';
import { createLogger, type Logger } from '../../kernel/logger.js';
import { loadMigrations } from '../migrations/load.js';
import { SqlStore } from '../sql/sql-store.js';
import type { Store } from '../store.js';
import { StoreError } from '../store-error.js';
import { migratePostgres } from './migrate.js';
import { PostgresDb } from './postgres-db.js';

export interface PostgresOptions {
  /** Connections this replica may hold (default 10). */
  poolSize?: number;
  /** Called when an idle pooled connection fails (e.g. the server restarted). */
  onBackgroundError?: (err: Error) => void;
  /** Where such failures are logged when no onBackgroundError is given. */
  logger?: Logger;
}

/** Connects, migrates (safely alongside other replicas) and returns a PostgreSQL store. */
export async function openPostgresStore(connectionString: string, options: PostgresOptions = {}, now = new Date()): Promise<Store> {
  const pool = new pg.Pool({ connectionString, max: options.poolSize ?? 10 });
  // Without a listener an idle client's error would crash the process; the pool replaces it.
  pool.on('error', options.onBackgroundError ?? ((err) => (options.logger ?? createLogger('info')).warn('store: a PostgreSQL connection failed; the pool replaces it', { error: err.message })));
  try {
    await migratePostgres(pool, loadMigrations('postgres'), now);
  } catch (err) {
    await pool.end().catch(() => undefined);
    if (err instanceof StoreError) throw err;
    throw new StoreError('STORE_UNAVAILABLE', `Cannot reach PostgreSQL at ${describe(connectionString)}: ${(err as Error).message}. Check DATABASE_URL.`, { cause: err });
  }
  return new SqlStore(new PostgresDb(pool));
}

/** host:port/database, never the password. */
export function describe(connectionString: string): string {
  try {
    const u = new URL(connectionString);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}
