import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { openStore } from '../../../src/store/open-store.js';
import { createTestDatabase, ensurePostgres, type PgServer } from '../../helpers/postgres.js';
import { describeStoreContract } from './store-contract.js';

// The same contract against both implementations, each on a real database: a SQLite file in a
// temp dir, and a fresh PostgreSQL database per test (the machine's server, or a throwaway one).

describeStoreContract('SQLite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'triage-store-'));
  const file = join(dir, 'nested', 'triage.db');
  return {
    open: () => openStore(`sqlite:${file}`),
    raw: async (sql) => {
      const db = new Database(file);
      try {
        const stmt = db.prepare(sql);
        if (stmt.reader) return stmt.all() as Record<string, unknown>[];
        stmt.run();
        return [];
      } finally {
        db.close();
      }
    },
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

let server: PgServer;
beforeAll(async () => {
  server = await ensurePostgres();
});
afterAll(async () => {
  await server?.stop();
});

describeStoreContract('PostgreSQL', async () => {
  const db = await createTestDatabase(server);
  return {
    open: () => openStore(db.url, { poolSize: 4 }),
    raw: async (sql) => {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        return (await c.query(sql)).rows as Record<string, unknown>[];
      } finally {
        await c.end();
      }
    },
    dispose: () => db.drop(),
  };
});
