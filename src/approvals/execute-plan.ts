import { StoreBackedCoreStore } from '../store/core-store-adapter.js';
import { mention } from '../core/check-flow.js';
import type { HandlerContext } from '../core/context.js';
import type { ChatAdapter } from '../core/events.js';
import { diagnosisReply, matrixOf, verdictText } from '../core/render-diagnosis.js';
import type { ReplyMatrix } from '../core/reply.js';
import { finishedParent, updateParent } from './finished-parent.js';
import { personLabel } from './identity.js';
import { runCheck } from '../diagnostics/run-check.js';
import type { Plan } from '../store/store.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { updateCard } from './approvals-deps.js';
import { planCard } from './plan-card.js';
import type { FixDocument, PlanResult, RollbackDocument, Step } from './plan-document.js';
import type { HeldLease } from './plan-lease.js';
import { awaitReplication, describePending } from './await-replication.js';
import { settleOriginal } from './rollback-original.js';
import { allVerified, journalSteps, runSteps, verifySteps, type Stop } from './run-steps.js';

// Runs an `applying` fix or rollback to its end under the caller's lease: the journaled steps,
// the read-back of every step, the re-check posted in the thread, then one transition that the
// card shows. "Applied" only when every step ran and every step that can be read back holds the
// planned value; otherwise "failed" with the exact steps that ran, and nothing re-applied blindly.
// The lease is renewed just before settling, so a replica that lost it never settles the plan.

export interface ExecuteInput {
  deps: ApprovalsDeps;
  plan: Plan;
  doc: FixDocument | RollbackDocument;
  held: HeldLease;
  who: string;
  requester: string;
  mode: 'fresh' | 'resume';
  /** The click being served, if any (recovery has none). */
  ctx?: HandlerContext;
  /** Recovery's opening words for the note ("The bot stopped during this plan. On restart, "). */
  why?: string;
}

export async function executePlan(x: ExecuteInput): Promise<Plan | null> {
  const { deps, plan, doc, held } = x;
  // On the clock events are dated by (the lab scenario's `now` in lab mode): failures logged
  // before the changes describe the configuration before them, so the re-check leaves them out.
  const changesFrom = (deps.evidenceClock ?? deps.clock).now();
  try {
    const run = await runSteps({ deps, plan, remediation: doc.remediation, held, who: x.who, requester: x.requester, mode: x.mode, afterDelegation: (spec) => waitForDcs(x, spec.changes) });
    if (run.stop?.kind === 'lease-lost') {
      deps.logger.warn('stopped applying a plan: another replica holds its lease now', { plan: plan.id });
      return null;
    }
    if (run.stop?.kind === 'in-doubt') {
      // Say so at once, leave the plan applying, and let the lease go: the next recovery pass
      // (any replica) reads AD and the hosts back and resumes or settles from what they hold.
      deps.logger.warn('a plan step is in doubt; leaving it to recovery', { plan: plan.id, reason: run.stop.message });
      const steps = await journalSteps(deps, plan, doc.remediation);
      const note = `${run.stop.message}. Nothing is reported as done or failed until it is read back; the bot will re-read AD and the hosts and settle this plan.`;
      await updateCard(deps, plan, planCard(plan, doc, { outcome: 'in-doubt', steps, note }), x.ctx?.adapter);
      return null;
    }
    if (!run.stop) await verifySteps(deps, plan, doc.remediation);
    const steps = await journalSteps(deps, plan, doc.remediation);
    const changed = steps.some((s) => s.outcome === 'ok' || s.outcome === 'unknown');
    const applied = !run.stop && allVerified(steps);
    // After a replication time-out the tickets were not purged: a re-check now would only repeat the old answer.
    const checked = (applied || changed) && run.stop?.kind !== 'replication-pending' ? await recheckNodes(x, changesFrom) : undefined;
    const recheck = checked ? { after: checked.after, recheckId: checked.recheckId } : undefined;
    const result = resultOf(x, run.stop, steps, changed, applied, recheck);
    if (!(await held.renew())) return null;
    const now = deps.clock.now();
    const action = x.mode === 'resume' ? 'plan.recovered' : applied ? (doc.kind === 'rollback' ? 'rollback.applied' : 'plan.applied') : doc.kind === 'rollback' ? 'rollback.failed' : 'plan.failed';
    const settled = await deps.store.transitionPlan(plan.id, ['applying'], applied ? 'applied' : 'failed', { result }, now, {
      at: now,
      actor: x.mode === 'resume' ? 'system' : x.who,
      action,
      subjectId: plan.id,
      outcome: applied ? (x.mode === 'resume' ? 'applied' : 'ok') : x.mode === 'resume' ? 'failed' : result.outcome,
      details: { steps: steps.map((s) => `${s.outcome}${s.verified ? '+verified' : ''} ${s.op} ${s.target}`), ...(result.note ? { note: result.note } : {}), after: result.after?.status ?? 'not re-checked' },
    });
    if (settled) {
      deps.logger.info(x.mode === 'resume' ? 'recovery settled a plan' : 'plan settled', { plan: plan.id, state: settled.state, outcome: result.outcome, steps: steps.length });
      await updateCard(deps, settled, planCard(settled, doc, result), x.ctx?.adapter);
      if (doc.kind === 'rollback') await settleOriginal(deps, settled, doc, applied ? 'yes' : changed ? 'unclear' : 'no', x.ctx?.adapter);
      if (applied) {
        const approvedBy = x.ctx ? mention(x.ctx.event.actor) : personLabel(settled.approver ?? x.who);
        await updateParent(deps, doc, finishedParent({ plan: settled, doc, result, approvedBy, ...(checked?.matrix ? { matrix: checked.matrix } : {}) }), x.ctx?.adapter);
      }
    }
    return settled;
  } finally {
    await held.release();
  }
}

function resultOf(x: ExecuteInput, stop: Stop | undefined, steps: Step[], changed: boolean, applied: boolean, recheck: Pick<PlanResult, 'after' | 'recheckId'> | undefined): PlanResult {
  const why = x.why ?? '';
  const base = { steps, ...(recheck ?? {}) };
  if (applied) {
    const note = x.mode === 'resume' ? `${why}the steps were resumed from the journal and every step is verified.` : undefined;
    return { outcome: x.mode === 'resume' ? 'recovered' : 'applied', ...base, ...(note ? { note } : {}) };
  }
  if (stop?.kind === 'replication-pending') {
    return { outcome: 'replication-pending', ...base, note: stop.message };
  }
  if (stop && !changed) {
    if (stop.kind === 'conflict') {
      return { outcome: 'conflict', ...base, current: stop.current, note: `AD changed since the plan was made, so the relay wrote nothing (${stop.message}). Refresh the plan to plan against the current values.` };
    }
    if (stop.kind === 'refused') return { outcome: 'refused', ...base, note: `${why}The relay refused the write, so nothing was written: ${stop.message}` };
    if (stop.kind === 'not-written') return { outcome: x.mode === 'resume' ? 'recovered' : 'error', ...base, note: `${why}${stop.message}; nothing was written.` };
    // Unclear: AD holds other values, or could not be read; nobody can say what was written.
    return { outcome: x.mode === 'resume' ? 'recovered' : 'error', ...base, note: `${why}${stop.message}. Check AD by hand; nothing was re-applied.` };
  }
  const verified = steps.filter((s) => s.outcome === 'ok' && s.verified !== false).length;
  const missing = steps.filter((s) => !(s.outcome === 'ok' && s.verified !== false)).map((s) => `${s.op} ${s.target}`);
  const cause = stop ? ` ${stop.message}.` : '';
  return {
    outcome: 'partial',
    ...base,
    note: `${why}Partly applied: ${verified} of ${steps.length} steps ran and are verified; not done: ${missing.join(', ')}.${cause} Nothing was undone or re-applied blindly: Refresh the plan to plan what is still missing.`,
  };
}

/**
 * Issue 19: waits until every DC of the nodes' sites carries the written values, with progress
 * in the plan's thread; past REPLICATION_WAIT_SECONDS it stops before the purges and says so
 * (the card then offers "Purge and re-check now").
 */
async function waitForDcs(x: ExecuteInput, changes: Parameters<typeof awaitReplication>[1]): Promise<Stop | undefined> {
  const { deps, doc } = x;
  const adapter = threadAdapter(x);
  let progress: Awaited<ReturnType<ChatAdapter['post']>> | undefined;
  const wait = await awaitReplication(deps, changes, {
    onProgress: async (pending, poll, waitedMs) => {
      const reply = { header: `Waiting for replication · ${doc.remediation.nodes.join(', ')}`, verdict: { status: 'pending' as const, text: `The delegation is written. Waiting for ${describePending(pending)} to carry it before purging tickets (check ${poll}, ${Math.round(waitedMs / 1000)} s so far).` }, sections: [] };
      if (!adapter) return;
      if (progress) await adapter.update(progress, reply);
      else progress = await adapter.post(doc.thread, reply);
    },
  });
  if (wait.status === 'timeout') {
    deps.logger.warn('replication did not finish in time; tickets not purged', { plan: x.plan.id, pending: describePending(wait.pending) });
    return {
      kind: 'replication-pending',
      message: `The delegation is written and verified in AD, but after ${Math.round(wait.waitedMs / 1000)} s ${describePending(wait.pending)} still did not carry it, so the tickets were not purged (the nodes would fetch tickets under the old values again). Use "Purge and re-check now" once replication has finished, or run "repadmin /syncall".`,
    };
  }
  if (wait.status === 'done' && progress && adapter) {
    await adapter.update(progress, { header: `Replication finished · ${doc.remediation.nodes.join(', ')}`, verdict: { status: 'info', text: `${wait.dcs.join(', ')} carry the new delegation (after ${Math.round(wait.waitedMs / 1000)} s): purging tickets and re-checking.` }, sections: [] }).catch(() => undefined);
  }
  return undefined;
}

function threadAdapter(x: ExecuteInput): ChatAdapter | undefined {
  const { deps, doc } = x;
  return x.ctx?.adapter.platform === doc.thread.platform ? x.ctx.adapter : deps.adapters.find((a) => a.platform === doc.thread.platform);
}

/** Runs the check again on the plan's nodes and posts it in the plan's thread. */
async function recheckNodes(x: ExecuteInput, eventsSince: Date): Promise<{ after: NonNullable<PlanResult['after']>; recheckId: string; matrix: ReplyMatrix } | undefined> {
  const { deps, plan, doc } = x;
  const adapter: ChatAdapter | undefined = x.ctx?.adapter.platform === doc.thread.platform ? x.ctx.adapter : deps.adapters.find((a) => a.platform === doc.thread.platform);
  try {
    const nodes = doc.remediation.nodes;
    const requester = x.ctx?.event.actor.id ?? 'triage-bot recovery';
    const { diagnosis, evidence } = await runCheck(deps.relay, nodes, { clock: deps.evidenceClock ?? deps.clock, eventWindowHours: deps.eventWindowHours, eventsSince, requester });
    // The core's record of a run (what the re-check's buttons read back); recovery has no click, so it writes through the same adapter the core uses.
    const checks = x.ctx?.deps.store ?? new StoreBackedCoreStore(deps.store);
    const record = await checks.saveCheckRun({ nodes, requesterId: requester, conversation: doc.thread, createdAt: deps.clock.now().toISOString(), diagnosis, evidence });
    const what = doc.kind === 'rollback' ? `rollback ${plan.id}` : `fix ${plan.id}`;
    const by = x.ctx ? `Approved by ${mention(x.ctx.event.actor)}` : 'Resumed by recovery';
    await adapter?.post(doc.thread, diagnosisReply(diagnosis, { title: `Re-check after ${what} · ${nodes.join(', ')}`, recordId: record.id, context: [`${by} · ${diagnosis.collectedAt} · ${deps.relay.description}`] }));
    return { after: { status: diagnosis.verdict.status, text: verdictText(diagnosis) }, recheckId: record.id, matrix: matrixOf(diagnosis) };
  } catch (err) {
    deps.logger.warn('re-check after apply failed', { plan: plan.id, error: (err as Error).message });
    return undefined;
  }
}
