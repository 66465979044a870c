import type { ChatAdapter } from '../core/events.js';
import type { Plan } from '../store/store.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { updateCard } from './approvals-deps.js';
import { planCard } from './plan-card.js';
import { documentOf, resultOf, type RollbackDocument } from './plan-document.js';

// A rollback is a plan of its own (proposed → approved → applying → applied | failed); the fix it
// undoes moves alongside: applied → rolling_back while the rollback writes, then rolled_back
// when it is written, or back to applied when nothing was written.

export async function settleOriginal(deps: ApprovalsDeps, rollback: Plan, doc: RollbackDocument, written: 'yes' | 'no' | 'unclear', adapter?: ChatAdapter): Promise<void> {
  const original = await deps.store.getPlan(doc.of);
  if (!original || original.state !== 'rolling_back') return;
  const now = deps.clock.now();
  const to = written === 'yes' ? 'rolled_back' : written === 'no' ? 'applied' : 'failed';
  const before = resultOf(original);
  const result = { ...(before ?? { outcome: 'applied', steps: [] }), rollbackId: rollback.id, ...(to === 'failed' ? { note: `Rollback ${rollback.id} ended unclear: AD holds neither the fixed values nor the values from before. Check by hand.` } : {}) };
  const moved = await deps.store.transitionPlan(original.id, ['rolling_back'], to, { result }, now, {
    at: now,
    actor: rollback.approver ?? 'system',
    action: to === 'rolled_back' ? 'plan.rolled-back' : to === 'applied' ? 'plan.rollback-abandoned' : 'plan.rollback-unclear',
    subjectId: original.id,
    outcome: to === 'rolled_back' ? 'ok' : 'failed',
    details: { rollbackId: rollback.id },
  });
  const originalDoc = moved ? documentOf(moved) : undefined;
  if (moved && originalDoc) await updateCard(deps, moved, planCard(moved, originalDoc, resultOf(moved)), adapter);
}
