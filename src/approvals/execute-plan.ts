import { StoreBackedCoreStore } from '../store/core-store-adapter.js';
import { mention } from '../core/check-flow.js';
import type { HandlerContext } from '../core/context.js';
import type { ChatAdapter } from '../core/events.js';
import { diagnosisReply, verdictText } from '../core/render-diagnosis.js';
import { runCheck } from '../diagnostics/run-check.js';
import type { Plan } from '../store/store.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { updateCard } from './approvals-deps.js';
import { planCard } from './plan-card.js';
import type { FixDocument, PlanResult, RollbackDocument, Step } from './plan-document.js';
import type { HeldLease } from './plan-lease.js';
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
    const run = await runSteps({ deps, plan, remediation: doc.remediation, held, who: x.who, requester: x.requester, mode: x.mode });
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
    const recheck = applied || changed ? await recheckNodes(x, changesFrom) : undefined;
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

/** Runs the check again on the plan's nodes and posts it in the plan's thread. */
async function recheckNodes(x: ExecuteInput, eventsSince: Date): Promise<Pick<PlanResult, 'after' | 'recheckId'> | undefined> {
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
    return { after: { status: diagnosis.verdict.status, text: verdictText(diagnosis) }, recheckId: record.id };
  } catch (err) {
    deps.logger.warn('re-check after apply failed', { plan: plan.id, error: (err as Error).message });
    return undefined;
  }
}
