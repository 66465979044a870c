import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/store/open-store.js';
import type { NewAuditEvent } from '../../../src/store/store.js';
import { StoreError } from '../../../src/store/store-error.js';
import { createTestDatabase, startThrowawayCluster, type PgServer } from '../../helpers/postgres.js';
import { sqliteTarget, type SharedTarget } from './targets.js';

// When the database is away (PostgreSQL restarting, a SQLite file locked by another process) a
// store call fails with one user-safe line, and the store works again once the database is back.

const event = (action: string): NewAuditEvent => ({ at: new Date(), actor: 'system', action, subjectId: null, outcome: 'ok', details: {} });

async function expectUnavailable(p: Promise<unknown>, message: RegExp): Promise<void> {
  const err = await p.then(
    () => new Error('expected the store call to fail'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe('STORE_UNAVAILABLE');
  expect((err as Error).message).toMatch(message);
  expect((err as Error).message).not.toContain('\n');
}

describe('SQLite file locked by another process', () => {
  let target: SharedTarget;
  beforeAll(() => {
    target = sqliteTarget();
  });
  afterAll(() => target.dispose());

  it('fails a write after busy_timeout with a clear line, then works once the lock is gone', async () => {
    const store = await openStore(target.url, { busyTimeoutMs: 200 });
    const other = new Database(target.url.slice('sqlite:'.length));
    other.exec('BEGIN IMMEDIATE');
    await expectUnavailable(store.appendAudit(event('while-locked')), /locked by another process/);
    await expectUnavailable(store.createPlan({ kind: 'k', checkRunId: null, cluster: null, requester: 'r', plan: {}, expected: {}, createdAt: new Date(), expiresAt: new Date() }), /locked/);
    other.exec('COMMIT');
    other.close();
    await store.appendAudit(event('after'));
    expect((await store.listAudit()).map((e) => e.action)).toEqual(['after']);
    await store.close();
  });
});

describe('PostgreSQL restarting', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startThrowawayCluster();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('fails calls while the server is down with a clear line, and recovers when it is back', async () => {
    const db = await createTestDatabase(server);
    const store = await openStore(db.url, { poolSize: 2, onBackgroundError: () => undefined });
    await store.appendAudit(event('before'));
    server.halt?.();
    await expectUnavailable(store.appendAudit(event('during')), /^The store \(PostgreSQL\) is unavailable: /);
    await expectUnavailable(store.listAudit(), /unavailable/);
    server.resume?.();
    await store.appendAudit(event('after'));
    expect((await store.listAudit()).map((e) => e.action)).toEqual(['before', 'after']);
    await store.close();
    await db.drop();
  }, 60_000);
});
