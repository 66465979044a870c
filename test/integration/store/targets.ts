import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type PgServer } from '../../helpers/postgres.js';

// A fresh, empty database that several processes can open by URL.
export interface SharedTarget {
  url: string;
  dispose(): Promise<void>;
}

export function sqliteTarget(): SharedTarget {
  const dir = mkdtempSync(join(tmpdir(), 'triage-store-'));
  return { url: `sqlite:${join(dir, 'triage.db')}`, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
}

export async function postgresTarget(server: PgServer): Promise<SharedTarget> {
  const db = await createTestDatabase(server);
  return { url: db.url, dispose: () => db.drop() };
}
