import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/logger.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario } from '../../../src/lab/load.js';
import { HttpRelayClient } from '../../../src/relay/client.js';
import { randomRelaySecret } from '../../../src/relay/signing.js';
import { createBotCore } from '../../../src/core/bot-core.js';
import { StoreBackedCoreStore } from '../../../src/store/core-store-adapter.js';
import { APPROVALS_SCENARIO, checkAndPropose, people, startFlow, type Flow } from '../../helpers/approvals/flow.js';
import { FakeChat } from '../../helpers/approvals/fake-chat.js';
import { createTestDatabase, ensurePostgres, type PgServer, type TestDatabase } from '../../helpers/postgres.js';

// Issue 21: one click is followed end to end by its request id. The real core with the approvals
// extension, the signed HTTP relay (lab backend, writes on) and a real store (SQLite, then
// PostgreSQL): the approve click's log lines, the relay's audit lines for the writes it caused and
// the store's audit rows all carry the same id, and no other event's id.

type Line = Record<string, unknown>;
const parse = (lines: string[]): Line[] => lines.map((l) => JSON.parse(l) as Line);
const relayAudit = (flow: Flow): Line[] => readFileSync(flow.auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);

async function followOneClick(databaseUrl?: string): Promise<void> {
  const lines: string[] = [];
  const logger = createLogger('info', (l) => lines.push(l), { name: 'triage-bot' });
  const lab = new LabBackend(await loadScenario(APPROVALS_SCENARIO), { latency: { hostMs: 0, directoryMs: 0 } });
  const flow = await startFlow(lab, { now: '2026-11-20T09:00:00Z', logger, ...(databaseUrl ? { databaseUrl } : {}) });
  try {
    const { planId } = await checkAndPropose(flow, ['HV01', 'HV02', 'HV03', 'HV04']);
    const beforeClick = lines.length;
    await flow.chat.click(people.adam, 'approve', planId);
    expect((await flow.store.getPlan(planId))!.state).toBe('applied');

    // The click's own log lines: every one carries one request id, a UUID.
    const clickLines = parse(lines.slice(beforeClick));
    const handled = clickLines.find((l) => l.msg === 'event handled');
    expect(handled).toMatchObject({ level: 'info', service: 'triage-bot', platform: 'web', actor: 'adam', kind: 'action', name: 'approve' });
    const id = String(handled!.requestId);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(clickLines.every((l) => l.requestId === id)).toBe(true);
    // The earlier events (check, propose) had ids of their own.
    const earlier = new Set(parse(lines.slice(0, beforeClick)).map((l) => l.requestId));
    expect(earlier.size).toBeGreaterThanOrEqual(2);
    expect(earlier.has(id)).toBe(false);

    // The relay's audit trail: the writes of this click, each `started` and `ok`, under that id.
    const audit = relayAudit(flow);
    const ofClick = audit.filter((l) => l.requestId === id);
    const writes = ofClick.filter((l) => l.operation === 'directory.apply-delegation' || l.operation === 'host.set-migration-auth');
    expect(writes.map((l) => [l.operation, l.outcome]).sort()).toEqual([
      ['directory.apply-delegation', 'ok'], ['directory.apply-delegation', 'started'], ['host.set-migration-auth', 'ok'], ['host.set-migration-auth', 'started'],
    ]);
    expect(writes.every((l) => l.approvalId === planId)).toBe(true);
    // Every line of the relay's audit log has some event's id: nothing was called outside an event.
    expect(audit.every((l) => typeof l.requestId === 'string')).toBe(true);
    expect(audit.filter((l) => l.operation === 'directory.apply-delegation').every((l) => l.requestId === id)).toBe(true);

    // The store's audit rows of the click: the approval and the apply, under the same id.
    const rows = await flow.store.listAudit({ requestId: id });
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['plan.approved', 'plan.applying']));
    expect(rows.every((r) => r.subjectId === planId)).toBe(true);
    const proposed = (await flow.store.listAudit({ subjectId: planId })).find((r) => r.action === 'plan.proposed');
    expect(proposed?.requestId).toBeTruthy();
    expect(proposed?.requestId).not.toBe(id);
  } finally {
    await flow.close();
  }
}

describe('a request id follows one click through the log, the relay audit and the store audit', () => {
  it('with SQLite', async () => {
    await followOneClick();
  });

  describe('with PostgreSQL', () => {
    let server: PgServer;
    let db: TestDatabase;
    beforeAll(async () => {
      server = await ensurePostgres();
      db = await createTestDatabase(server);
    }, 60_000);
    afterAll(async () => {
      await db?.drop();
      await server?.stop();
    });

    it('the same', async () => {
      await followOneClick(db.url);
    });
  });

  it('when the relay refuses our key, the bot logs one line per failure with the id, never a stack, and the relay audits the refusal under it', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', (l) => lines.push(l), { name: 'triage-bot' });
    const lab = new LabBackend(await loadScenario(APPROVALS_SCENARIO), { latency: { hostMs: 0, directoryMs: 0 } });
    const flow = await startFlow(lab, { now: '2026-11-20T09:00:00Z', logger });
    // A second core whose relay client signs with a key the relay does not know.
    const wrong = new HttpRelayClient({ url: flow.relay.url, keyId: 'bot', secret: randomRelaySecret(), clock: flow.clock, timeoutMs: 5_000, logger });
    const chat = new FakeChat();
    await chat.start(createBotCore({ relay: wrong, clock: flow.clock, store: new StoreBackedCoreStore(flow.store), authorizer: flow.deps.authorizer, logger, eventWindowHours: 72 }));
    try {
      await chat.command(people.olivia, 'migration-check HV01 HV02');
      const logged = parse(lines);
      const id = String(logged[0]?.requestId);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(logged.every((l) => l.requestId === id)).toBe(true);
      // The command ends on the refusal: the person is told why, the log says it once more as the handler's failure.
      expect(chat.told(people.olivia.id).at(-1)).toMatch(/the relay refused our signature/);
      expect(logged.filter((l) => l.level === 'error')).toEqual([expect.objectContaining({ msg: 'handler failed', error: expect.stringMatching(/refused our signature/) })]);
      expect(lines.join('\n')).not.toMatch(/\s+at .*:\d+:\d+/);
      const failures = logged.filter((l) => l.msg === 'relay call failed');
      const refusals = relayAudit(flow).filter((l) => l.status === 401);
      expect(refusals.length).toBeGreaterThan(0);
      // One warn line per refused call, naming the operation and the relay's reason.
      expect(failures).toHaveLength(refusals.length);
      for (const f of failures) expect(f).toMatchObject({ level: 'warn', code: 'UNAUTHORIZED', error: expect.stringMatching(/not authenticated/) });
      expect(failures.map((f) => f.operation).sort()).toEqual(refusals.map((l) => l.operation).sort());
      expect(refusals.every((l) => l.requestId === id && l.keyId === null && l.reason === 'bad_signature')).toBe(true);
    } finally {
      wrong.close();
      await flow.close();
    }
  });
});
