import { z } from 'zod';
import type { ActionHandler, HandlerContext } from '../core/context.js';
import { mention } from '../core/check-flow.js';
import { textReply, type Reply } from '../core/reply.js';
import { RelayError } from '../relay/protocol.js';
import { conversationRefSchema } from '../kernel/refs.js';
import type { Plan } from '../store/store.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { audit, forApprovers, refuse, ttlMs, updateCard } from './approvals-deps.js';
import { personKeyOf } from './identity.js';
import { planCard } from './plan-card.js';
import type { PlanResult, TestMigrationDocument } from './plan-document.js';
import { chooseDcs, kdcNamesOf } from '../diagnostics/collect-dcs.js';
import type { KdcEvent } from '../relay/protocol.js';
import { callWrite } from './write-remediation.js';
import { chooseTestMode, moveText } from './test-migration-mode.js';
import { testMigrationModeSchema } from '../relay/protocol.js';

// "Test migration": the operator picks a VM (read through host.vms) and a direction; that makes
// a plan which, like a fix, needs another person's approval; on approval the relay migrates the
// VM and the result, with the events it raised, is posted in the thread. The picker's choices
// live in an action record; a click sends back only an index into them.

const CHOICES_KIND = 'test-migration.choices';
const MAX_CHOICES = 100;

const choicesSchema = z.object({
  checkRunId: z.string(),
  thread: conversationRefSchema,
  choices: z.array(z.object({ vm: z.string(), source: z.string(), destination: z.string(), mode: testMigrationModeSchema.optional(), because: z.array(z.string()).optional() })),
});

export function testMigrationHandler(deps: ApprovalsDeps): ActionHandler {
  return async (ctx, action) => {
    const who = await personKeyOf(ctx.event.actor, deps);
    if (action.value === undefined) return offerChoices(ctx, deps, who, action.recordId);
    return proposeTest(ctx, deps, who, action.recordId, action.value);
  };
}

async function offerChoices(ctx: HandlerContext, deps: ApprovalsDeps, who: string, checkRunId: string): Promise<void> {
  const record = await ctx.deps.store.getCheckRun(checkRunId);
  if (!record) return refuse(ctx, deps, who, 'test-migration.propose', checkRunId.slice(0, 64), 'This button refers to no check triage-bot knows (unknown or forged id); nothing was done.');
  await ctx.event.ack(textReply(`Reading the VMs on ${record.nodes.join(', ')}…`, { ephemeral: true }));
  const thread = ctx.event.message?.conversation ?? record.conversation;
  const inventories = await Promise.all(record.nodes.map((node) => deps.relay.call('host.vms', { node }, { requester: ctx.event.actor.id }).then((r) => r.vms, () => [])));
  // Each choice carries the move the findings call for (issue 19); those that exercise a failing path come first.
  const choices = record.nodes
    .flatMap((source, i) =>
      inventories[i]!.flatMap((vm) =>
        record.nodes
          .filter((d) => d !== source)
          .map((destination) => {
            const chosen = chooseTestMode(record.diagnosis.findings, { source, destination, clustered: vm.isClustered === true });
            return { vm: vm.name, source, destination, mode: chosen.mode, because: chosen.because, rank: chosen.exercisesFindings ? 0 : 1 };
          }),
      ),
    )
    .sort((a, b) => a.rank - b.rank)
    .map(({ rank: _rank, ...c }) => c)
    .slice(0, MAX_CHOICES);
  if (choices.length === 0) {
    await ctx.adapter.post(thread, textReply(`No VM on ${record.nodes.join(', ')} could be listed, so there is nothing to test-migrate.`));
    return;
  }
  const now = deps.clock.now();
  const offer = await deps.store.createAction({ kind: CHOICES_KIND, payload: { checkRunId, thread, choices }, createdAt: now, expiresAt: new Date(now.getTime() + ttlMs(deps)) });
  const reply: Reply = {
    header: `Test migration · ${record.nodes.join(', ')}`,
    verdict: { status: 'info', text: 'Pick a VM and a direction. The test migration needs an approver other than you before it runs.' },
    buttons: [{ action: 'test-migration', label: 'Propose test migration', recordId: offer.id, choices: choices.map((c, i) => ({ label: choiceLabel(c), value: String(i) })) }],
  };
  await ctx.adapter.post(thread, reply);
}

async function proposeTest(ctx: HandlerContext, deps: ApprovalsDeps, who: string, offerId: string, value: string): Promise<void> {
  const offer = await deps.store.getAction(offerId);
  const parsed = offer?.kind === CHOICES_KIND ? choicesSchema.safeParse(offer.payload) : undefined;
  const now = deps.clock.now();
  if (!offer || !parsed?.success || offer.expiresAt.getTime() <= now.getTime()) {
    return refuse(ctx, deps, who, 'test-migration.propose', offerId.slice(0, 64), 'This picker is unknown or expired; press Test migration on the check again. Nothing was done.');
  }
  const choice = /^\d{1,3}$/.test(value) ? parsed.data.choices[Number(value)] : undefined;
  if (!choice) return refuse(ctx, deps, who, 'test-migration.propose', offerId, 'That choice is not one the picker offered; nothing was done.');
  const doc: TestMigrationDocument = { kind: 'test-migration', proposedBy: mention(ctx.event.actor), thread: parsed.data.thread, ...choice };
  const plan = await deps.store.createPlan(
    { kind: doc.kind, checkRunId: parsed.data.checkRunId, cluster: null, requester: who, plan: doc, expected: {}, createdAt: now, expiresAt: new Date(now.getTime() + ttlMs(deps)) },
    { at: now, actor: who, action: 'test-migration.proposed', subjectId: null, outcome: 'ok', details: choice },
  );
  await ctx.event.ack(textReply(`Test migration ${plan.id} proposed; an approver other than you must approve it.`, { ephemeral: true }));
  const posted = await ctx.adapter.post(doc.thread, forApprovers(deps, planCard(plan, doc)));
  await deps.store.setPlanMessage(plan.id, posted, deps.clock.now());
}

export async function runTestMigration(ctx: HandlerContext, deps: ApprovalsDeps, plan: Plan, doc: TestMigrationDocument, who: string): Promise<void> {
  const started = deps.clock.now();
  const applying = await deps.store.transitionPlan(plan.id, ['approved'], 'applying', {}, started, { at: started, actor: who, action: 'test-migration.started', subjectId: plan.id, outcome: 'ok', details: {} });
  if (!applying) return;
  let result: PlanResult;
  let to: 'applied' | 'failed';
  try {
    const test = await callWrite(deps, applying, 'vm.test-migration', { vm: doc.vm, source: doc.source, destination: doc.destination, ...(doc.mode ? { mode: doc.mode } : {}) }, ctx.event.actor.id);
    result = { outcome: 'test-done', steps: [{ op: 'vm.test-migration', target: `${doc.vm} ${doc.source} → ${doc.destination}`, outcome: test.succeeded ? 'ok' : 'failed', message: test.message }], test };
    to = 'applied';
    await audit(deps, who, 'relay.test-migration', plan.id, test.succeeded ? 'ok' : 'migration-failed', { mode: test.mode ?? 'on-source', message: test.message, events: test.events.length, durationMs: test.durationMs });
  } catch (err) {
    const message = (err as Error).message;
    result = { outcome: 'error', note: `The relay could not run the test migration: ${message}`, steps: [{ op: 'vm.test-migration', target: doc.vm, outcome: 'failed', message }] };
    to = 'failed';
    await audit(deps, who, 'relay.test-migration', plan.id, 'failed', { code: err instanceof RelayError ? err.code : 'INTERNAL', message });
  }
  const now = deps.clock.now();
  const ended = await deps.store.transitionPlan(plan.id, ['applying'], to, { result }, now, { at: now, actor: who, action: 'test-migration.finished', subjectId: plan.id, outcome: to === 'applied' && result.test?.succeeded ? 'ok' : 'failed', details: {} });
  if (!ended) return;
  await updateCard(deps, ended, planCard(ended, doc, result), ctx.adapter);
  const kdc = result.test ? await attemptKdcEvents(deps, doc, started) : undefined;
  if (kdc && kdc.events.length > 0) await audit(deps, who, 'test-migration.kdc-events', plan.id, 'ok', { count: kdc.events.length, dcs: kdc.dcs });
  await ctx.adapter.post(doc.thread, testResultReply(doc, result, kdc));
}

/**
 * Issue 19: what the KDC logged during the attempt (the DCs of the nodes' sites, at most
 * DC_EVIDENCE_MAX): a 4769 failure 0xD for the source's S4U2proxy says the KDC refused the
 * delegation. Undefined when the relay has no DC reads; a DC that did not answer is named.
 */
async function attemptKdcEvents(deps: ApprovalsDeps, doc: TestMigrationDocument, started: Date): Promise<{ events: Array<KdcEvent & { dc: string }>; dcs: string[]; unanswered: string[] } | undefined> {
  const requester = 'triage-bot test migration';
  let listed;
  try {
    listed = await deps.relay.call('dc.list', {}, { requester });
  } catch {
    return undefined;
  }
  const { read } = chooseDcs(listed.dcs, [], deps.maxDcs ?? 4);
  const names = kdcNamesOf([doc.source, doc.destination], undefined);
  const since = started.getTime() - 60_000;
  const events: Array<KdcEvent & { dc: string }> = [];
  const unanswered: string[] = [];
  await Promise.all(
    read.map(async (dc) => {
      try {
        const answer = await deps.relay.call('dc.kdc-events', { dc: dc.name, sinceHours: 1, names }, { requester });
        events.push(...answer.events.filter((e) => Date.parse(e.time) >= since).map((e) => ({ ...e, dc: dc.name })));
      } catch {
        unanswered.push(dc.name);
      }
    }),
  );
  return { events: events.sort((a, b) => Date.parse(a.time) - Date.parse(b.time)), dcs: read.map((d) => d.name), unanswered };
}

function testResultReply(doc: TestMigrationDocument, result: PlanResult, kdc?: { events: Array<KdcEvent & { dc: string }>; dcs: string[]; unanswered: string[] }): Reply {
  const test = result.test;
  const events = test?.events.map((e) => `${e.time} · ${e.log} · ${e.id}: ${e.message.replace(/\s+/g, ' ').slice(0, 300)}`) ?? [];
  return {
    header: `Test migration result · ${doc.vm}: ${doc.source} → ${doc.destination}`,
    facts: [{ label: 'Move', value: moveText(doc, test?.mode) }],
    verdict: test ? { status: test.succeeded ? 'healthy' : 'blocked', text: `${test.message} (${Math.round(test.durationMs)} ms)` } : { status: 'error', text: result.note ?? 'The test migration did not run.' },
    sections: test
      ? [
          { title: `Events it raised (${test.events.length})`, severity: test.events.length ? 'error' : 'info', lines: events.length ? events : ['none'] },
          ...(kdc
            ? [
                {
                  title: `KDC events of the attempt (${kdc.events.length}, from ${kdc.dcs.join(', ') || 'no DC'})`,
                  severity: kdc.events.length ? ('error' as const) : ('info' as const),
                  lines: [
                    ...(kdc.events.length
                      ? kdc.events.map((e) => `${e.time} · ${e.dc} · ${e.log} ${e.id}${e.status ? ` failure ${e.status}` : ''}${e.account ? ` · ${e.account}` : ''}${e.service ? ` → ${e.service}` : ''}${e.status === '0xD' && e.id === 4769 ? ' (the KDC refused the delegation)' : ''}`)
                      : ['none']),
                    ...(kdc.unanswered.length ? [`${kdc.unanswered.join(', ')} did not answer: their KDC events are unknown`] : []),
                  ],
                },
              ]
            : []),
        ]
      : [],
  };
}


/** Slack shows at most 75 characters of an option: the codes give way to their count first. */
const OPTION_TEXT = 75;
export function choiceLabel(c: { vm: string; source: string; destination: string; mode: 'remote-initiated' | 'cluster'; because: string[] }): string {
  const head = `${c.vm}: ${c.source} → ${c.destination} · ${c.mode === 'cluster' ? 'cluster move' : 'off-box Move-VM'}`;
  if (c.because.length === 0) return head;
  const full = `${head} (${c.because.join(', ')})`;
  return full.length <= OPTION_TEXT ? full : `${head} (${c.because.length} finding${c.because.length === 1 ? '' : 's'})`;
}
