import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConversationRef, MessageRef } from '../../../src/kernel/refs.js';
import { newRequestId, withRequestId } from '../../../src/kernel/request-id.js';
import type { Diagnosis } from '../../../src/diagnostics/findings.js';
import type { NewAuditEvent, NewCheckRun, NewPlan, NewSchedule, Store } from '../../../src/store/store.js';
import { StoreError } from '../../../src/store/store-error.js';

// The one contract every Store implementation must pass. contract.test.ts runs it against a
// real SQLite file and a real PostgreSQL database; each test gets a fresh, empty database.

export interface StoreTarget {
  /** Opens a store on this target's database; may be called again (reopen, second replica). */
  open(): Promise<Store>;
  /** Raw SQL on the same database, outside the store (to look behind it). */
  raw(sql: string): Promise<Record<string, unknown>[]>;
  dispose(): Promise<void>;
}

const T0 = new Date('2026-03-01T09:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const channel: ConversationRef = { platform: 'slack', channelId: 'C0HYPERV', threadId: '1740819600.000100' };
const card: MessageRef = { conversation: channel, messageId: '1740819601.000200' };

const diagnosis = (status: Diagnosis['verdict']['status']): Diagnosis => ({
  nodes: ['HV01', 'HV02'],
  collectedAt: T0.toISOString(),
  verdict: { status, rootCauses: status === 'blocked' ? ['DELEGATION_NONE'] : [], fixable: status === 'blocked', fixableCauses: [], manualCauses: [] },
  directions: [{ from: 'HV01', to: 'HV02', status: status === 'blocked' ? 'blocked' : 'ok', blockedBy: [] }],
  findings: [{ code: 'DELEGATION_NONE', severity: 'error', node: 'HV01', message: 'HV01 trusts nobody — «délégation»', evidence: { uac: 4096, list: [] } }],
});

const run = (cluster: string | null, minutes: number, status: Diagnosis['verdict']['status'] = 'blocked'): NewCheckRun => ({
  cluster,
  nodes: ['HV01', 'HV02'],
  requester: 'slack:U0OPERATOR',
  conversation: channel,
  verdict: status,
  diagnosis: diagnosis(status),
  createdAt: at(minutes),
});

const newPlan = (checkRunId: string | null, overrides: Partial<NewPlan> = {}): NewPlan => ({
  kind: 'delegation-fix',
  checkRunId,
  cluster: 'CL1',
  requester: 'slack:U0OPERATOR',
  plan: { computers: [{ name: 'HV01', add: ['Microsoft Virtual System Migration Service/HV02'] }] },
  expected: { HV01: { 'msDS-AllowedToDelegateTo': [] } },
  createdAt: at(0),
  expiresAt: at(30),
  ...overrides,
});

const audit = (action: string, actor = 'slack:U0APPROVER', minutes = 1): NewAuditEvent => ({
  at: at(minutes),
  actor,
  action,
  subjectId: null,
  outcome: 'ok',
  details: { note: action },
});

const schedule = (cluster: string, overrides: Partial<NewSchedule> = {}): NewSchedule => ({
  cluster,
  cron: '0 7 * * 1-5',
  tz: 'Europe/Berlin',
  quiet: true,
  target: channel,
  createdBy: 'slack:U0OPERATOR',
  source: 'chat',
  createdAt: at(0),
  ...overrides,
});

export function describeStoreContract(name: string, fresh: () => Promise<StoreTarget>): void {
  describe(`Store contract: ${name}`, () => {
    let target: StoreTarget;
    let store: Store;
    const opened: Store[] = [];
    const open = async () => {
      const s = await target.open();
      opened.push(s);
      return s;
    };

    beforeEach(async () => {
      target = await fresh();
      store = await open();
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await target.dispose();
    });

    it('migrates once: opening again (twice at once, too) applies nothing and keeps the data', async () => {
      const before = await target.raw('SELECT version, name FROM schema_migrations ORDER BY version');
      expect(before.map((r) => Number(r.version))).toEqual([1, 2, 3, 4, 5, 6]);
      const saved = await store.saveCheckRun(run('CL1', 0));
      await store.close();
      opened.splice(0);
      const [a, b] = await Promise.all([open(), open()]);
      expect((await a!.getCheckRun(saved.id))?.diagnosis).toEqual(saved.diagnosis);
      expect(await b!.latestCheckRun('CL1')).toMatchObject({ id: saved.id });
      expect(await target.raw('SELECT version, name FROM schema_migrations ORDER BY version')).toEqual(before);
    });

    it('keeps check runs per cluster, newest first, and says which was the latest', async () => {
      expect(await store.latestCheckRun('CL1')).toBeNull();
      const first = await store.saveCheckRun(run('CL1', 0, 'blocked'));
      const second = await store.saveCheckRun(run('CL1', 60, 'healthy'));
      await store.saveCheckRun(run('CL2', 120));
      const adhoc = await store.saveCheckRun({ ...run(null, 5), scheduleId: 'sc_abc', requester: null, conversation: null });
      expect(first.id).not.toBe(second.id);
      expect((await store.listCheckRuns('CL1')).map((r) => r.id)).toEqual([second.id, first.id]);
      expect((await store.listCheckRuns('CL1', 1)).map((r) => r.id)).toEqual([second.id]);
      expect(await store.latestCheckRun('CL1')).toEqual(second);
      const got = await store.getCheckRun(first.id);
      expect(got).toEqual({ ...run('CL1', 0, 'blocked'), id: first.id, scheduleId: null });
      expect(got?.diagnosis.findings[0]?.message).toBe('HV01 trusts nobody — «délégation»');
      expect(await store.getCheckRun(adhoc.id)).toMatchObject({ cluster: null, scheduleId: 'sc_abc', requester: null, conversation: null });
      expect(await store.getCheckRun('cr_missing')).toBeNull();
    });

    it('prunes check runs older than the retention limit, leaving plans that pointed at them', async () => {
      const old = await store.saveCheckRun(run('CL1', -60 * 24 * 100));
      const recent = await store.saveCheckRun(run('CL1', 0));
      const plan = await store.createPlan(newPlan(old.id));
      expect(await store.pruneCheckRuns(at(-60 * 24 * 90))).toBe(1);
      expect(await store.getCheckRun(old.id)).toBeNull();
      expect(await store.getCheckRun(recent.id)).not.toBeNull();
      expect(await store.getPlan(plan.id)).toMatchObject({ id: plan.id, checkRunId: null });
      expect(await store.pruneCheckRuns(at(-60 * 24 * 90))).toBe(0);
    });

    it('gives buttons opaque, single-use action ids that expire', async () => {
      const a = await store.createAction({ kind: 'plan.approve', payload: { planId: 'pl_x', n: [1, 2] }, createdAt: at(0), expiresAt: at(30) });
      const b = await store.createAction({ kind: 'plan.approve', payload: { planId: 'pl_x' }, createdAt: at(0), expiresAt: at(30) });
      expect(a.id).toMatch(/^ac_[a-z2-9]{25}$/);
      expect(a.id).not.toBe(b.id);
      expect(await store.getAction(a.id)).toEqual({ ...a, handledAt: null, handledBy: null });
      expect(a.payload).toEqual({ planId: 'pl_x', n: [1, 2] });
      expect(await store.markActionHandled(a.id, 'slack:U0APPROVER', at(1))).toMatchObject({ handledAt: at(1), handledBy: 'slack:U0APPROVER' });
      expect(await store.markActionHandled(a.id, 'slack:U0OTHER', at(2))).toBeNull();
      expect((await store.getAction(a.id))?.handledBy).toBe('slack:U0APPROVER');
      expect(await store.markActionHandled(b.id, 'slack:U0APPROVER', at(31))).toBeNull();
      expect(await store.markActionHandled('ac_forged', 'slack:U0APPROVER', at(1))).toBeNull();
      expect(await store.getAction('ac_forged')).toBeNull();
      expect(await store.pruneActions(at(31))).toBe(2);
      expect(await store.getAction(b.id)).toBeNull();
    });

    it('creates plans in proposed with their audit event, and lists them by state, run and cluster', async () => {
      const cr = await store.saveCheckRun(run('CL1', 0));
      const p = await store.createPlan(newPlan(cr.id, { messageRef: card }), audit('plan.proposed', 'slack:U0OPERATOR'));
      expect(p).toMatchObject({ state: 'proposed', version: 0, checkRunId: cr.id, approver: null, snapshot: null, result: null, messageRef: card, decidedAt: null });
      expect(p.id).toMatch(/^pl_[a-z2-9]{16}$/);
      expect(await store.getPlan(p.id)).toEqual(p);
      expect(await store.listAudit({ subjectId: p.id })).toMatchObject([{ action: 'plan.proposed', actor: 'slack:U0OPERATOR', subjectId: p.id }]);
      const other = await store.createPlan(newPlan(null, { cluster: 'CL2', createdAt: at(5), kind: 'test-migration' }));
      expect((await store.listPlans()).map((x) => x.id)).toEqual([other.id, p.id]);
      expect((await store.listPlans({ cluster: 'CL1' })).map((x) => x.id)).toEqual([p.id]);
      expect((await store.listPlans({ checkRunId: cr.id })).map((x) => x.id)).toEqual([p.id]);
      expect(await store.listPlans({ states: ['applying'] })).toEqual([]);
      expect(await store.listPlans({ states: [] })).toEqual([]);
      expect(await store.getPlan('pl_forged')).toBeNull();
    });

    it('walks a plan through apply and rollback, stamping times and applying each patch', async () => {
      const p = await store.createPlan(newPlan(null));
      const approved = await store.transitionPlan(p.id, ['proposed'], 'approved', { approver: 'teams:aad-approver' }, at(2), audit('plan.approved'));
      expect(approved).toMatchObject({ state: 'approved', approver: 'teams:aad-approver', decidedAt: at(2), updatedAt: at(2), version: 1 });
      const applying = await store.transitionPlan(p.id, ['approved'], 'applying', { snapshot: { HV01: { uac: 4096, list: [] } } }, at(3));
      expect(applying).toMatchObject({ state: 'applying', snapshot: { HV01: { uac: 4096, list: [] } }, version: 2 });
      const applied = await store.transitionPlan(p.id, ['applying'], 'applied', { result: { recheck: 'healthy' } }, at(4), audit('plan.applied', 'system', 4));
      expect(applied).toMatchObject({ state: 'applied', appliedAt: at(4), result: { recheck: 'healthy' } });
      const rolling = await store.transitionPlan(p.id, ['applied'], 'rolling_back', { rollbackRequester: 'slack:U0OPERATOR', rollbackApprover: 'slack:U0APPROVER' }, at(5));
      expect(rolling).toMatchObject({ state: 'rolling_back', rollbackRequester: 'slack:U0OPERATOR', rollbackApprover: 'slack:U0APPROVER' });
      const back = await store.transitionPlan(p.id, ['rolling_back'], 'rolled_back', {}, at(6));
      expect(back).toMatchObject({ state: 'rolled_back', rolledBackAt: at(6), appliedAt: at(4), decidedAt: at(2), version: 5, snapshot: { HV01: { uac: 4096, list: [] } } });
      expect((await store.listAudit({ subjectId: p.id })).map((e) => e.action)).toEqual(['plan.approved', 'plan.applied']);
    });

    it('compare-and-swap: a transition from the wrong state returns null and changes nothing', async () => {
      const p = await store.createPlan(newPlan(null));
      const approved = await store.transitionPlan(p.id, ['proposed'], 'approved', { approver: 'slack:U0APPROVER' }, at(2));
      // A second click, a second approver, a reject after the approval: all too late.
      expect(await store.transitionPlan(p.id, ['proposed'], 'approved', { approver: 'slack:U0SECOND' }, at(3), audit('plan.approved'))).toBeNull();
      expect(await store.transitionPlan(p.id, ['proposed'], 'rejected', {}, at(3), audit('plan.rejected'))).toBeNull();
      expect(await store.transitionPlan('pl_forged', ['proposed'], 'approved', {}, at(3), audit('plan.approved'))).toBeNull();
      expect(await store.getPlan(p.id)).toEqual(approved);
      expect(await store.listAudit()).toEqual([]);
      // Of several allowed from-states, the one the row is in counts.
      expect(await store.transitionPlan(p.id, ['approved', 'applying'], 'failed', { result: { error: 'relay 409' } }, at(4))).toMatchObject({ state: 'failed' });
    });

    it('refuses a transition that is not an edge of the state machine, without touching the row', async () => {
      const p = await store.createPlan(newPlan(null));
      await expect(store.transitionPlan(p.id, ['proposed'], 'applied', {}, at(1))).rejects.toThrow(StoreError);
      await expect(store.transitionPlan(p.id, ['proposed', 'applied'], 'approved', {}, at(1))).rejects.toThrow(/applied to approved/);
      await expect(store.transitionPlan(p.id, [], 'approved', {}, at(1))).rejects.toThrow(StoreError);
      expect(await store.getPlan(p.id)).toEqual(p);
    });

    it('lets exactly one of many concurrent approvals through', async () => {
      const p = await store.createPlan(newPlan(null));
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) => store.transitionPlan(p.id, ['proposed'], 'approved', { approver: `slack:U${i}` }, at(2), audit('plan.approved', `slack:U${i}`))),
      );
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect((await store.getPlan(p.id))?.approver).toBe(winners[0]?.approver);
      expect(await store.listAudit({ subjectId: p.id })).toHaveLength(1);
    });

    it('expires due proposed plans once, auditing each as system', async () => {
      const due = await store.createPlan(newPlan(null, { expiresAt: at(30) }));
      const later = await store.createPlan(newPlan(null, { expiresAt: at(60) }));
      const approved = await store.createPlan(newPlan(null, { expiresAt: at(30) }));
      await store.transitionPlan(approved.id, ['proposed'], 'approved', {}, at(1));
      expect((await store.expireDuePlans(at(30))).map((p) => [p.id, p.state])).toEqual([[due.id, 'expired']]);
      expect(await store.expireDuePlans(at(30))).toEqual([]);
      expect((await store.getPlan(later.id))?.state).toBe('proposed');
      expect((await store.getPlan(approved.id))?.state).toBe('approved');
      expect(await store.listAudit()).toMatchObject([{ actor: 'system', action: 'plan.expired', subjectId: due.id }]);
      expect(await store.transitionPlan(due.id, ['proposed'], 'approved', {}, at(31))).toBeNull();
    });

    it('remembers the card that shows a plan', async () => {
      const p = await store.createPlan(newPlan(null));
      expect(await store.setPlanMessage(p.id, card, at(1))).toMatchObject({ messageRef: card, state: 'proposed', version: 0 });
      expect(await store.setPlanMessage('pl_forged', card, at(1))).toBeNull();
    });

    it('appends audit events and reads them back by subject, actor and time', async () => {
      const e1 = await store.appendAudit({ ...audit('plan.proposed', 'slack:U0OPERATOR', 1), subjectId: 'pl_a' });
      const e2 = await store.appendAudit({ ...audit('plan.approved', 'slack:U0APPROVER', 2), subjectId: 'pl_a', outcome: 'refused', details: { reason: 'self-approval' } });
      const e3 = await store.appendAudit({ ...audit('schedule.created', 'slack:U0OPERATOR', 3), subjectId: 'sc_1' });
      expect(e2.id).toBeGreaterThan(e1.id);
      expect(e3.id).toBeGreaterThan(e2.id);
      expect(await store.listAudit({ subjectId: 'pl_a' })).toEqual([e1, e2]);
      expect(e2).toMatchObject({ outcome: 'refused', details: { reason: 'self-approval' }, at: at(2) });
      expect(await store.listAudit({ actor: 'slack:U0OPERATOR' })).toEqual([e1, e3]);
      expect(await store.listAudit({ since: at(2), until: at(3) })).toEqual([e2]);
      expect(await store.listAudit({ limit: 2 })).toEqual([e1, e2]);
    });

    it('tags an audit row with the request id of the event that wrote it; rows without one (older releases, no event) read as null', async () => {
      const id = newRequestId();
      const inEvent = await withRequestId(id, () => store.appendAudit(audit('plan.approved')));
      const given = await store.appendAudit({ ...audit('plan.applying'), requestId: 'slack:Ev0123456' });
      const outside = await store.appendAudit(audit('plan.expired', 'system'));
      // A row as a release before migration 005 wrote it: no request_id at all.
      await target.raw(`INSERT INTO audit_events (at, actor, action, subject_id, outcome, details) VALUES ('2026-03-01T09:00:00.000Z', 'system', 'plan.recovered', NULL, 'failed', '{}')`);
      const rows = await store.listAudit();
      expect(rows.map((r) => [r.action, r.requestId])).toEqual([['plan.approved', id], ['plan.applying', 'slack:Ev0123456'], ['plan.expired', null], ['plan.recovered', null]]);
      expect(inEvent.requestId).toBe(id);
      expect(outside.requestId).toBeNull();
      expect(given.requestId).toBe('slack:Ev0123456');
      expect(await store.listAudit({ requestId: id })).toEqual([inEvent]);
    });

    it('keeps audit append-only: no update or delete in the store, and the database refuses an UPDATE', async () => {
      const e = await store.appendAudit(audit('plan.proposed'));
      const methods = Object.keys(store).concat(Object.getOwnPropertyNames(Object.getPrototypeOf(store)));
      expect(methods.filter((m) => /audit/i.test(m)).sort()).toEqual(['appendAudit', 'exportAndPruneAudit', 'listAudit']);
      await expect(target.raw("UPDATE audit_events SET actor = 'someone-else'")).rejects.toThrow(/append-only/);
      await expect(target.raw('DELETE FROM audit_events')).rejects.toThrow(/append-only/);
      expect(await store.listAudit()).toEqual([e]);
    });

    it('exports and prunes audit only before the given time, returning exactly what it removed', async () => {
      const old = [await store.appendAudit(audit('a', 'x', -100)), await store.appendAudit(audit('b', 'x', -50))];
      const kept = await store.appendAudit(audit('c', 'x', 0));
      expect(await store.exportAndPruneAudit(at(-10))).toEqual(old);
      expect(await store.listAudit()).toEqual([kept]);
      expect(await store.exportAndPruneAudit(at(-10))).toEqual([]);
    });

    it('leases a plan to one owner at a time, raising the fencing token on every take', async () => {
      const plan = await store.createPlan(newPlan(null));
      const other = await open();
      const a = await store.acquirePlanLease(plan.id, 'replica-a', at(0), 30_000);
      expect(a).toMatchObject({ planId: plan.id, owner: 'replica-a', fencingToken: 1, expiresAt: new Date(at(0).getTime() + 30_000) });
      // Live: nobody else takes it, from this connection or another replica's.
      expect(await other.acquirePlanLease(plan.id, 'replica-b', new Date(at(0).getTime() + 29_000), 30_000)).toBeNull();
      expect(await store.renewPlanLease(a!, new Date(at(0).getTime() + 20_000), 30_000)).toBe(true);
      expect(await other.acquirePlanLease(plan.id, 'replica-b', new Date(at(0).getTime() + 45_000), 30_000)).toBeNull();
      // Expired: one of many concurrent takers gets it, with the next token.
      const later = new Date(at(0).getTime() + 51_000);
      const takes = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? other : store).acquirePlanLease(plan.id, `replica-${i}`, later, 30_000)));
      const won = takes.filter((t) => t !== null);
      expect(won).toHaveLength(1);
      expect(won[0]!.fencingToken).toBe(2);
      // The old holder can neither renew nor start a step; the new one can.
      expect(await store.renewPlanLease(a!, later, 30_000)).toBe(false);
      expect(await store.beginStep(plan.id, { stepKey: 'host.purge-tickets:HV01', op: 'host.purge-tickets', target: 'HV01' }, a!, later)).toBeNull();
      const step = await other.beginStep(plan.id, { stepKey: 'host.purge-tickets:HV01', op: 'host.purge-tickets', target: 'HV01' }, won[0]!, later);
      expect(step).toMatchObject({ attempt: 1, idempotencyKey: `${plan.id}:host.purge-tickets:HV01:1`, state: 'started', fencingToken: 2, owner: won[0]!.owner });
      // Released: free at once, and the next token is higher still.
      await other.releasePlanLease(won[0]!, later);
      expect((await store.acquirePlanLease(plan.id, 'replica-a', later, 30_000))?.fencingToken).toBe(3);
      expect(await store.getPlanLease(plan.id)).toMatchObject({ owner: 'replica-a', fencingToken: 3 });
    });

    it('journals each step before and after it runs, one row per attempt, in order', async () => {
      const plan = await store.createPlan(newPlan(null));
      const lease = (await store.acquirePlanLease(plan.id, 'replica-a', at(1), 5 * 60_000))!;
      const ad = await store.beginStep(plan.id, { stepKey: 'directory.apply-delegation', op: 'directory.apply-delegation', target: 'HV01', detail: { computers: ['HV01'] } }, lease, at(1));
      const host = await store.beginStep(plan.id, { stepKey: 'host.set-migration-auth:HV01', op: 'host.set-migration-auth', target: 'HV01' }, lease, at(1));
      expect(await store.finishStep(ad!.id, 'ok', { applied: ['HV01'] }, at(1))).toMatchObject({ state: 'ok', detail: { applied: ['HV01'] }, finishedAt: at(1) });
      // The host step never finished (the replica died); a second attempt is a new row.
      const retry = await store.beginStep(plan.id, { stepKey: 'host.set-migration-auth:HV01', op: 'host.set-migration-auth', target: 'HV01' }, lease, at(2));
      expect(retry).toMatchObject({ attempt: 2, idempotencyKey: `${plan.id}:host.set-migration-auth:HV01:2` });
      await store.finishStep(retry!.id, 'verified', { observed: 'Kerberos' }, at(2));
      const steps = await store.listSteps(plan.id);
      expect(steps.map((s) => [s.stepKey, s.attempt, s.state])).toEqual([
        ['directory.apply-delegation', 1, 'ok'],
        ['host.set-migration-auth:HV01', 1, 'started'],
        ['host.set-migration-auth:HV01', 2, 'verified'],
      ]);
      expect(steps[1]!.finishedAt).toBeNull();
      expect(steps[0]!.detail).toEqual({ applied: ['HV01'] });
      expect(host!.startedAt).toEqual(at(1));
    });

    it('keeps schedules: create, list, pause, resume, upsert, record the fired slot, delete', async () => {
      const s = await store.createSchedule(schedule('CL1'));
      expect(s).toMatchObject({ ...schedule('CL1'), pausedReason: null, pausedAt: null, lastFiredSlot: null });
      expect(s.id).toMatch(/^sc_[a-z2-9]{8}$/);
      const loud = await store.createSchedule(schedule('CL2', { quiet: false, createdAt: at(1) }));
      expect(await store.getSchedule(loud.id)).toEqual(loud);
      expect((await store.listSchedules()).map((x) => x.id)).toEqual([s.id, loud.id]);
      expect((await store.listSchedules({ cluster: 'CL2' })).map((x) => x.quiet)).toEqual([false]);
      expect(await store.pauseSchedule(s.id, 'channel C0HYPERV no longer exists', at(5))).toMatchObject({ pausedReason: 'channel C0HYPERV no longer exists', pausedAt: at(5) });
      expect((await store.listSchedules({ includePaused: false })).map((x) => x.id)).toEqual([loud.id]);
      expect(await store.resumeSchedule(s.id)).toMatchObject({ pausedReason: null, pausedAt: null });
      expect(await store.recordScheduleFired(s.id, '2026-03-02T06:00:00.000Z')).toBe(true);
      expect(await store.recordScheduleFired(s.id, '2026-03-01T06:00:00.000Z')).toBe(false);
      expect((await store.getSchedule(s.id))?.lastFiredSlot).toBe('2026-03-02T06:00:00.000Z');
      expect(await store.pauseSchedule('sc_missing', 'x', at(1))).toBeNull();
      expect(await store.deleteSchedule(s.id)).toBe(true);
      expect(await store.deleteSchedule(s.id)).toBe(false);
      expect(await store.getSchedule(s.id)).toBeNull();
    });

    it('upserts policy schedules by id, keeping the pause and the last fired slot', async () => {
      const first = await store.upsertSchedule({ ...schedule('CL1', { source: 'policy' }), id: 'policy-cl1-morning' });
      await store.recordScheduleFired(first.id, '2026-03-02T06:00:00.000Z');
      await store.pauseSchedule(first.id, 'cluster CL1 unknown', at(2));
      const again = await store.upsertSchedule({ ...schedule('CL1', { source: 'policy', cron: '30 6 * * *', createdAt: at(10) }), id: 'policy-cl1-morning' });
      expect(again).toMatchObject({ id: 'policy-cl1-morning', cron: '30 6 * * *', createdAt: at(0), lastFiredSlot: '2026-03-02T06:00:00.000Z', pausedReason: 'cluster CL1 unknown' });
      expect(await store.listSchedules()).toHaveLength(1);
    });

    it('claims each scheduled run for exactly one caller', async () => {
      const s = await store.createSchedule(schedule('CL1'));
      const slot = '2026-03-02T06:00:00.000Z';
      const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => store.claimRun(s.id, slot, `replica-${i}`, at(1))));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.claimRun(s.id, slot, 'late-replica', at(2))).toBe(false);
      expect(await store.claimRun(s.id, '2026-03-03T06:00:00.000Z', 'replica-1', at(3))).toBe(true);
      const second = await open();
      expect(await second.claimRun(s.id, slot, 'other-process', at(2))).toBe(false);
      expect(await store.pruneRunClaims(at(2))).toBe(1);
      expect(await store.claimRun(s.id, '2026-03-03T06:00:00.000Z', 'replica-2', at(4))).toBe(false);
    });

    it('lets one replica take over a claimed slot whose run never finished, once its lease expired, and only once', async () => {
      const s = await store.createSchedule(schedule('CL1'));
      const slot = '2026-03-02T06:00:00.000Z';
      const other = await open();
      expect(await store.claimRun(s.id, slot, 'replica-a', at(1), 60_000)).toBe(true);
      // replica-a dies before posting. While its lease lives, nobody else runs the slot.
      expect(await other.claimRun(s.id, slot, 'replica-b', new Date(at(1).getTime() + 59_000), 60_000)).toBe(false);
      expect(await other.listAbandonedRuns(new Date(at(1).getTime() + 59_000))).toEqual([]);
      expect(await other.listAbandonedRuns(at(3))).toEqual([{ scheduleId: s.id, slot, owner: 'replica-a' }]);
      const takers = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other : store).claimRun(s.id, slot, `replica-${i}`, at(3), 60_000)));
      expect(takers.filter(Boolean)).toHaveLength(1);
      const winner = `replica-${takers.indexOf(true)}`;
      expect(await store.renewRunClaim(s.id, slot, 'replica-a', at(3))).toBe(false);
      expect(await store.completeRun(s.id, slot, 'replica-a', at(3))).toBe(false);
      expect(await other.renewRunClaim(s.id, slot, winner, at(3), 60_000)).toBe(true);
      expect(await other.completeRun(s.id, slot, winner, at(4))).toBe(true);
      // Done: never taken over again, however long after.
      expect(await store.listAbandonedRuns(at(1000))).toEqual([]);
      expect(await store.claimRun(s.id, slot, 'replica-z', at(1000))).toBe(false);
    });

    it('keeps one conversation reference per platform channel', async () => {
      expect(await store.getConversation('teams', '19:abc@thread.tacv2')).toBeNull();
      const teams: ConversationRef = { platform: 'teams', channelId: '19:abc@thread.tacv2', extra: { serviceUrl: 'https://smba.trafficmanager.net/emea/', tenantId: 't1' } };
      await store.saveConversation(teams, at(0));
      await store.saveConversation(channel, at(0));
      const moved = { ...teams, extra: { serviceUrl: 'https://smba.trafficmanager.net/amer/', tenantId: 't1' } };
      await store.saveConversation(moved, at(1));
      expect(await store.getConversation('teams', teams.channelId)).toEqual(moved);
      expect(await store.listConversations('teams')).toEqual([moved]);
      expect(await store.listConversations()).toEqual([channel, moved]);
    });

    it("links one person's Slack and Teams identities, merges groups and unlinks", async () => {
      const slack = { platform: 'slack' as const, userId: 'U0ALICE' };
      const teams = { platform: 'teams' as const, userId: 'aad-alice' };
      const web = { platform: 'web' as const, userId: 'alice' };
      expect(await store.personOf(teams)).toBe('teams:aad-alice');
      const person = await store.linkIdentities(slack, teams, 'slack:U0ADMIN', at(0));
      expect(person).toBe('slack:U0ALICE');
      expect(await store.personOf(teams)).toBe(person);
      expect(await store.personOf(slack)).toBe(person);
      // web was linked to someone else first; linking it to teams merges the two groups.
      await store.linkIdentities(web, { platform: 'cli', userId: 'alice' }, 'slack:U0ADMIN', at(1));
      expect(await store.linkIdentities(teams, web, 'slack:U0ADMIN', at(2))).toBe(person);
      expect((await store.identitiesOf(person)).map((l) => `${l.platform}:${l.userId}`)).toEqual(['cli:alice', 'slack:U0ALICE', 'teams:aad-alice', 'web:alice']);
      expect(await store.unlinkIdentity(slack)).toBe(true);
      expect(await store.unlinkIdentity(slack)).toBe(false);
      expect(await store.personOf(slack)).toBe('slack:U0ALICE');
      expect(await store.personOf(teams)).not.toBe('slack:U0ALICE');
      expect(await store.personOf(teams)).toBe(await store.personOf(web));
    });

    it('keeps everything across close and reopen', async () => {
      const p = await store.createPlan(newPlan(null), audit('plan.proposed'));
      const s = await store.createSchedule(schedule('CL1'));
      await store.close();
      opened.splice(0);
      const again = await open();
      expect(await again.getPlan(p.id)).toEqual(p);
      expect(await again.getSchedule(s.id)).toEqual(s);
      expect(await again.listAudit()).toHaveLength(1);
    });
  });
}
