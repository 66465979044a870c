import { runCheck } from '../diagnostics/run-check.js';
import { unknownNodes } from '../diagnostics/unknown-nodes.js';
import type { Diagnosis } from '../diagnostics/findings.js';
import type { Evidence } from '../diagnostics/evidence.js';
import type { CheckRunRecord } from './core-store.js';
import type { HandlerContext } from './context.js';
import type { ConversationRef, MessageRef } from '../kernel/refs.js';
import { ObservingRelayClient } from './observing-relay.js';
import { diagnosisReply, verdictText, matrixOf } from './render-diagnosis.js';
import { textReply, type Reply } from './reply.js';
import { EXAMPLES } from './commands.js';
import { dateText, mention } from './mention.js';

// The check as users see it: an ephemeral "running" note at once, one parent message edited in
// place as each node answers, the full result as a thread reply, and the parent updated with
// the verdict. A mistyped node gets a one-line ephemeral error and nothing is posted.

type NodeState = 'pending' | 'done' | 'unreachable';

export interface CheckRequest {
  nodes: string[];
  cluster?: string;
  initiator?: string;
  /** Post the parent here (a re-run posts in the same thread). */
  conversation: ConversationRef;
  /** Acknowledge the command (omitted when the caller acknowledged already). */
  acknowledge?: boolean;
  /** Shapes the thread result (cluster health adds what changed); default: the diagnosis reply. */
  present?: (diagnosis: Diagnosis, recordId: string, context: string[]) => CheckPresentation;
}

export interface CheckPresentation {
  result: Reply;
  /** A sentence added to the parent's verdict (e.g. what changed since the last run). */
  summary?: string;
}

export interface CheckOutcome {
  record: CheckRunRecord;
  parent: MessageRef;
  resultMessage: MessageRef;
}

const title = (req: CheckRequest) => (req.cluster ? `Cluster health · ${req.cluster}` : `Live migration check · ${req.nodes.join(', ')}`);

export async function runCheckFlow(ctx: HandlerContext, req: CheckRequest): Promise<CheckOutcome | undefined> {
  const { deps, event } = ctx;
  const relay = new ObservingRelayClient(deps.relay);
  // Admission is decided at once, so the acknowledgement says what happens and never waits.
  const admission = deps.checkQueue?.enter() ?? { kind: 'run' as const, release: () => undefined };
  if (admission.kind === 'full') {
    deps.logger.warn('check refused: the check queue is full', { waiting: admission.waiting, nodes: req.nodes.length });
    await event.ack(textReply(`Busy: ${admission.waiting} checks are already waiting on this replica, so this one was not started. Try again in a minute.`, { ephemeral: true, status: 'error' }));
    return undefined;
  }
  try {
    if (admission.kind === 'queued') {
      await event.ack(textReply(`Busy: queued as #${admission.position}. The check of ${req.nodes.join(', ')} starts when one of the running checks ends.`, { ephemeral: true }));
      await admission.ready;
    } else if (req.acknowledge !== false) await event.ack(textReply(`Checking ${req.nodes.join(', ')} through ${relay.description}…`, { ephemeral: true }));
    return await checkAdmitted(ctx, req, relay);
  } finally {
    admission.release();
  }
}

async function checkAdmitted(ctx: HandlerContext, req: CheckRequest, relay: ObservingRelayClient): Promise<CheckOutcome | undefined> {
  const { deps, event, adapter } = ctx;

  const states = new Map<string, NodeState>(req.nodes.map((n) => [n, 'pending']));
  // Progress edits go to the parent once it exists; edits before that are folded into its first version.
  const shown: { parent?: MessageRef } = {};
  const check = runCheck(relay, req.nodes, {
    clock: deps.evidenceClock ?? deps.clock,
    eventWindowHours: deps.eventWindowHours,
    ...(deps.maxDcs !== undefined ? { maxDcs: deps.maxDcs } : {}),
    requester: event.actor.id,
    ...(req.initiator ? { initiator: req.initiator } : {}),
    onHostDone: (node: string, reachable: boolean) => {
      states.set(node, reachable ? 'done' : 'unreachable');
      if (shown.parent) void safeUpdate(ctx, shown.parent, progressReply(req, states, relay.description));
    },
  });
  await Promise.race([relay.directoryDone, check.then(() => undefined, () => undefined)]);
  if (relay.notFound.length > 0) {
    // A name the directory does not know may be a typo: wait for its host reads before posting.
    const unknown = unknownNodes((await check).evidence);
    if (unknown.length > 0) return refuseUnknown(ctx, req, unknown);
  }

  const parent = await adapter.post(req.conversation, progressReply(req, states, relay.description));
  shown.parent = parent;
  const { diagnosis, evidence } = await check.catch(async (err: unknown) => {
    // The parent must not say "collecting evidence" forever: it says the check failed, and the
    // core tells the person why (e.g. the relay refused our signature).
    await safeUpdate(ctx, parent, textReply(`Check failed: ${err instanceof Error && err.name === 'RelayError' ? err.message : 'see the bot log'}.`, { status: 'error' }));
    throw err;
  });
  const unknown = unknownNodes(evidence);
  if (unknown.length > 0) {
    await safeUpdate(ctx, parent, textReply(`Check cancelled: unknown node ${unknown.join(', ')}.`, { status: 'error' }));
    return refuseUnknown(ctx, req, unknown);
  }
  return finish(ctx, req, parent, diagnosis, evidence, relay.description);
}

async function refuseUnknown(ctx: HandlerContext, req: CheckRequest, unknown: string[]): Promise<undefined> {
  const text = `Unknown node ${unknown.join(', ')}: no computer object in the directory and no host answered. Check the name, e.g. /${EXAMPLES['migration-check']}`;
  await tellActor(ctx, req.conversation, textReply(text, { ephemeral: true, status: 'error' }));
  return undefined;
}

async function finish(ctx: HandlerContext, req: CheckRequest, parent: MessageRef, diagnosis: Diagnosis, evidence: Evidence, source: string): Promise<CheckOutcome> {
  const { deps, event, adapter } = ctx;
  const record = await deps.store.saveCheckRun({
    nodes: req.nodes,
    ...(req.cluster ? { cluster: req.cluster } : {}),
    ...(req.initiator ? { initiator: req.initiator } : {}),
    requesterId: event.actor.id,
    conversation: req.conversation,
    createdAt: deps.clock.now().toISOString(),
    diagnosis,
    evidence,
  });
  const thread: ConversationRef = { ...req.conversation, threadId: parent.conversation.threadId ?? parent.messageId };
  const context = [`Run by ${mention(event.actor)} · ${dateText(diagnosis.collectedAt)} · ${source}`];
  const shown = req.present?.(diagnosis, record.id, context) ?? { result: diagnosisReply(diagnosis, { title: title(req), recordId: record.id, context, ...(deps.docsBaseUrl ? { docsBaseUrl: deps.docsBaseUrl } : {}) }) };
  const resultMessage = await adapter.post(thread, shown.result);
  await safeUpdate(ctx, parent, summaryReply(req, diagnosis, context, shown.summary, record.id));
  return { record, parent, resultMessage };
}

/** A person as a mention element each adapter renders (mention.ts); re-exported for the extensions. */
export { mention };

function progressReply(req: CheckRequest, states: Map<string, NodeState>, source: string): Reply {
  const done = [...states.values()].filter((s) => s !== 'pending').length;
  return {
    header: title(req),
    verdict: { status: 'pending', text: `Collecting evidence: ${done} of ${states.size} nodes answered (${source}).` },
    facts: [...states].map(([node, state]) => ({ label: node, value: state })),
  };
}

function summaryReply(req: CheckRequest, d: Diagnosis, context: string[], extra: string | undefined, reportId: string): Reply {
  return {
    header: title(req),
    verdict: { status: d.verdict.status, text: `${verdictText(d)}${extra ? ` ${extra}` : ''} Details in the thread.` },
    matrix: matrixOf(d),
    context,
    reportId,
  };
}

async function safeUpdate(ctx: HandlerContext, ref: MessageRef, reply: Reply): Promise<void> {
  try {
    await ctx.adapter.update(ref, reply);
  } catch (err) {
    ctx.deps.logger.warn('could not update message', { error: (err as Error).message });
  }
}

/** An ephemeral message to the person who acted, or a normal post where the platform has none. */
export async function tellActor(ctx: HandlerContext, conversation: ConversationRef, reply: Reply): Promise<void> {
  if (ctx.adapter.postEphemeral) await ctx.adapter.postEphemeral(conversation, ctx.event.actor, reply);
  else await ctx.adapter.post(conversation, reply);
}
