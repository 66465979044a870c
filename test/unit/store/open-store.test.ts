import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/open-store.js';
import { StoreError } from '../../../src/store/store-error.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'triage-open-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('openStore(DATABASE_URL)', () => {
  it('creates the SQLite file and its folders, in WAL mode with a busy timeout', async () => {
    const file = join(tempDir(), 'data', 'deeper', 'triage.db');
    const store = await openStore(`sqlite:${file}`);
    expect(store.dialect).toBe('sqlite');
    await store.saveConversation({ platform: 'web', channelId: 'lab' }, new Date());
    const raw = new Database(file);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    await store.close();
    expect(existsSync(file)).toBe(true);
  });

  it('opens an in-memory store that keeps nothing on disk', async () => {
    const store = await openStore('sqlite::memory:');
    await store.saveConversation({ platform: 'web', channelId: 'lab' }, new Date());
    expect(await store.listConversations()).toEqual([{ platform: 'web', channelId: 'lab' }]);
    await store.close();
  });

  it.each([
    ['mysql://db/triage', /must start with sqlite: or postgres:\/\//],
    ['sqlite:', /needs a file/],
  ])('refuses %s with a one-line error', async (url, message) => {
    const err = await openStore(url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('STORE_BAD_URL');
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it('names the PostgreSQL server it cannot reach, never the password', async () => {
    const err = (await openStore('postgres://triage:s3cret-pass@127.0.0.1:1/triage').catch((e: unknown) => e)) as StoreError;
    expect(err).toBeInstanceOf(StoreError);
    expect(err.code).toBe('STORE_UNAVAILABLE');
    expect(err.message).toMatch(/^Cannot reach PostgreSQL at 127\.0\.0\.1:1\/triage: .*Check DATABASE_URL\.$/);
    expect(err.message).not.toContain('s3cret-pass');
  });

  it('refuses a database migrated by a newer release', async () => {
    const file = join(tempDir(), 'triage.db');
    await (await openStore(`sqlite:${file}`)).close();
    const raw = new Database(file);
    raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, ?)').run('from-the-future', new Date().toISOString());
    raw.close();
    await expect(openStore(`sqlite:${file}`)).rejects.toThrow(/schema version 999, newer than this release knows; upgrade triage-bot/);
  });
});
