import { openPostgresStore, type PostgresOptions } from './postgres/open.js';
import { openSqliteStore, type SqliteOptions } from './sqlite/open.js';
import type { Store } from './store.js';
import { StoreError } from './store-error.js';

// DATABASE_URL picks the implementation:
//   sqlite:./data/triage.db   a file (folder created), one process; the default
//   sqlite::memory:           nothing kept (tests, one-off CLI runs)
//   postgres://user@host/db   several replicas
export const DEFAULT_DATABASE_URL = 'sqlite:./data/triage.db';

export type StoreOptions = PostgresOptions & SqliteOptions;

export async function openStore(databaseUrl: string = DEFAULT_DATABASE_URL, options: StoreOptions = {}): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length);
    if (file === '') throw new StoreError('STORE_BAD_URL', 'DATABASE_URL sqlite: needs a file, e.g. sqlite:./data/triage.db (or sqlite::memory:).');
    return openSqliteStore(file, options);
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return openPostgresStore(databaseUrl, options);
  throw new StoreError('STORE_BAD_URL', 'DATABASE_URL must start with sqlite: or postgres:// (e.g. sqlite:./data/triage.db).');
}
