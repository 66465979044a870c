import type { ChatAdapter } from '../core/events.js';
import type { Reply, ReplyMatrix } from '../core/reply.js';
import type { MessageRef } from '../kernel/refs.js';
import type { Plan } from '../store/store.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import type { FixDocument, PlanResult, RollbackDocument } from './plan-document.js';

// A finished incident looks finished in the channel: once a fix (or its rollback) is applied
// and re-checked, the parent message of the thread, the one the channel sees without opening
// the thread, says so: "Fixed: … by …, approved by …, re-check healthy".

type Status = NonNullable<Reply['verdict']>['status'];

/** The parent of the plan's thread: the check's first message (its id is the thread's id). */
export function parentOf(doc: Pick<FixDocument, 'thread'>): MessageRef | undefined {
  return doc.thread.threadId ? { conversation: doc.thread, messageId: doc.thread.threadId } : undefined;
}

export interface Finished {
  plan: Pick<Plan, 'id' | 'cluster'>;
  doc: FixDocument | RollbackDocument;
  result: Pick<PlanResult, 'after'>;
  /** Who approved, as shown (a mention, or the person's name when recovery settled it). */
  approvedBy: string;
  /** The re-check's matrix, to show in place of the one from before. */
  matrix?: ReplyMatrix;
}

export function finishedParent(x: Finished): Reply {
  const nodes = x.doc.remediation.nodes;
  const header = x.plan.cluster ? `Cluster health · ${x.plan.cluster}` : `Live migration check · ${nodes.join(', ')}`;
  const after = x.result.after;
  const recheck = after ? (after.status === 'healthy' ? 're-check healthy' : `re-check ${after.status}: ${after.text}`) : 'no re-check (see the thread)';
  let status: Status;
  let text: string;
  if (x.doc.kind === 'rollback') {
    status = 'info';
    text = `Rolled back: fix ${x.doc.of} undone by ${x.doc.proposedBy}, approved by ${x.approvedBy} (rollback ${x.plan.id}), ${recheck}.`;
  } else if (after?.status === 'healthy' || after?.status === 'degraded') {
    // Degraded: every direction is permitted again, and warnings the fix does not touch remain.
    status = after.status;
    const outcome = after.status === 'healthy' ? 're-check healthy' : 're-check: every direction permitted, warnings remain';
    text = `Fixed: delegation on ${nodes.join(', ')} by ${x.doc.proposedBy}, approved by ${x.approvedBy} (plan ${x.plan.id}), ${outcome}.`;
  } else {
    status = (after?.status as Status | undefined) ?? 'info';
    text = `Fix applied by ${x.doc.proposedBy}, approved by ${x.approvedBy} (plan ${x.plan.id}), but not finished: ${recheck}.`;
  }
  return { header, verdict: { status, text: `${text} Details in the thread.` }, ...(x.matrix ? { matrix: x.matrix } : {}) };
}

/** Edits the parent; a parent that cannot be edited (deleted, no thread) is logged, not fatal. */
export async function updateParent(deps: ApprovalsDeps, doc: FixDocument | RollbackDocument, reply: Reply, adapter?: ChatAdapter): Promise<void> {
  const ref = parentOf(doc);
  if (!ref) return;
  const target = adapter?.platform === ref.conversation.platform ? adapter : deps.adapters.find((a) => a.platform === ref.conversation.platform);
  try {
    await target?.update(ref, reply);
  } catch (err) {
    deps.logger.warn('could not update the incident\'s parent message', { error: (err as Error).message });
  }
}
