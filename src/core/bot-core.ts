import { newRequestId, withRequestId } from '../kernel/request-id.js';
import type { CoreDeps, HandlerContext } from './context.js';
import type { Role } from './authorizer.js';
import type { ChatAdapter, CoreHandler, InboundEvent } from './events.js';
import { textReply } from './reply.js';
import { isUserSafe } from './user-error.js';
import { tellActor } from './check-flow.js';
import { builtinExtension, whoamiExtension } from './builtin-handlers.js';
import { buildCommandTable, type ActionSpec, type ButtonClick, type CommandSpec, type Refusal } from './registry.js';

// The core: a chain of steps every event goes through, in this order (like Bolt's use()):
//   errors (outermost: a failure anywhere becomes a short message; details go to the log)
//   → whoami (answered to anyone, anywhere) → channel gate → route (parse the command / find
//   the button) → identity (resolvers add Slack user groups...) → audit (records the refusals below) → role (the least role the
//   command or button declared) → handler.
// It never throws into an adapter. What the steps route to is registered by extensions
// (registry.ts); a clash between registrations throws here, when the bot starts.

type Route = { kind: 'command'; spec: CommandSpec; value: unknown } | { kind: 'action'; spec: ActionSpec; click: ButtonClick };

interface Turn {
  ctx: HandlerContext;
  route?: Route;
  /** Set by the role step when it refuses. */
  refused?: { role: Role; reason: string; refusal: Refusal | undefined; subjectId: string | null };
}

type Step = (turn: Turn, next: () => Promise<void>) => Promise<void>;

export interface BotCore extends CoreHandler {
  /** The registered command a text invokes, or `invalid`: a bounded label for metrics. */
  commandName(text: string): string;
}

export function createBotCore(deps: CoreDeps): BotCore {
  const table = buildCommandTable([builtinExtension, ...(deps.extensions ?? []), whoamiExtension]);

  const errors: Step = async (turn, next) => {
    try {
      await next();
    } catch (err) {
      await reportFailure(turn.ctx, err);
    }
  };

  // whoami is answered to anyone, anywhere, and only to them, before the channel gate: the ids an
  // admin needs to grant a role or enable a channel (src/core/whoami.ts).
  const whoami: Step = async ({ ctx }, next) => {
    if (ctx.event.kind !== 'action') {
      const parsed = table.parse(ctx.event.text);
      if (parsed.ok && parsed.spec.name === 'whoami') {
        await parsed.spec.handle(ctx, parsed.value);
        return;
      }
    }
    await next();
  };

  const gate: Step = async ({ ctx }, next) => {
    if (!(await deps.authorizer.channelAllowed(ctx.event.conversation))) {
      await ctx.event.ack(textReply('triage-bot is not enabled in this channel. Ask an admin to add it to the policy file.', { ephemeral: true, status: 'error' }));
      return;
    }
    await next();
  };

  const route: Step = async (turn, next) => {
    const { event } = turn.ctx;
    if (event.kind === 'action') {
      const action = event.action;
      const spec = action ? table.action(action.name) : undefined;
      if (!action || !spec) {
        await event.ack(textReply('This button is not one triage-bot knows; nothing was done.', { ephemeral: true, status: 'error' }));
        return;
      }
      turn.route = { kind: 'action', spec, click: { name: action.name, recordId: action.recordId, ...(action.value ? { value: action.value } : {}) } };
    } else {
      const parsed = table.parse(event.text);
      if (!parsed.ok) {
        await event.ack(textReply(parsed.message, { ephemeral: true, status: 'error' }));
        return;
      }
      turn.route = { kind: 'command', spec: parsed.spec, value: parsed.value };
    }
    await next();
  };

  const identity: Step = async ({ ctx }, next) => {
    for (const resolve of table.identity) {
      try {
        ctx.event.actor = await resolve(ctx.event.actor);
      } catch (err) {
        deps.logger.warn('an identity resolver failed; going on with what is known', { error: (err as Error).message });
      }
    }
    await next();
  };

  const audit: Step = async (turn, next) => {
    await next();
    const refused = turn.refused;
    if (!refused) return;
    deps.logger.info('refused', { actor: `${turn.ctx.event.actor.platform}:${turn.ctx.event.actor.id}`, role: refused.role, action: refused.refusal?.audit, subject: refused.subjectId });
    if (refused.refusal?.audit && table.audit) {
      await table.audit({ actor: turn.ctx.event.actor, action: refused.refusal.audit, subjectId: refused.subjectId, outcome: 'refused', details: { reason: turn.refused!.reason } });
    }
  };

  const role: Step = async (turn, next) => {
    const r = turn.route!;
    const { ctx } = turn;
    const decision = await deps.authorizer.authorize(ctx.event.actor, r.spec.role);
    if (!decision.ok && !(r.kind === 'action' && (await r.spec.alsoAllowed?.(ctx, r.click)))) {
      const refusal = r.spec.refusal;
      const reason = `You need the ${r.spec.role} role ${refusal?.purpose ?? 'for that'}: ${decision.reason}${refusal?.suffix ? ` ${refusal.suffix}` : ''}`;
      turn.refused = { role: r.spec.role, reason, refusal, subjectId: r.kind === 'action' ? r.click.recordId.slice(0, 64) : null };
      await ctx.event.ack(textReply(reason, { ephemeral: true, status: 'error' }));
      return;
    }
    await next();
  };

  const handler: Step = async ({ ctx, route: r }) => {
    if (r!.kind === 'action') await r!.spec.handle(ctx, r!.click);
    else await r!.spec.handle(ctx, r!.value);
  };

  // One `event handled` line per event that did not fail (a failure logs `handler failed`).
  const logged: Step = async ({ ctx }, next) => {
    await next();
    ctx.deps.logger.info('event handled', eventFields(ctx.event));
  };

  const chain = [errors, logged, whoami, gate, route, identity, audit, role, handler];
  const run = (turn: Turn, i: number): Promise<void> => chain[i]!(turn, () => run(turn, i + 1));

  return {
    handle(event: InboundEvent, adapter: ChatAdapter): Promise<void> {
      // One request id per event: on every log line (the child logger here, the current id for
      // code that logs through its own logger), on every relay call and in every audit row.
      const requestId = event.requestId ?? newRequestId();
      return withRequestId(requestId, () => run({ ctx: { event, adapter, deps: { ...deps, logger: deps.logger.child({ requestId }) }, table } }, 0));
    },
    commandName(text: string): string {
      const parsed = table.parse(text);
      return parsed.ok ? parsed.spec.name : 'invalid';
    },
  };
}

/** What an event's log lines say about it: who, where, which command or button (never its full text). */
function eventFields(event: InboundEvent): Record<string, unknown> {
  return { platform: event.actor.platform, actor: event.actor.id, kind: event.kind, name: event.action?.name ?? event.text.split(/\s+/, 1)[0] };
}

async function reportFailure(ctx: HandlerContext, err: unknown): Promise<void> {
  const safe = isUserSafe(err);
  ctx.deps.logger.error('handler failed', { error: err instanceof Error ? err.message : String(err), kind: ctx.event.kind, text: ctx.event.text });
  const message = safe ? `That did not work: ${(err as Error).message}` : 'Something went wrong on our side; the details are in the bot log.';
  try {
    await tellActor(ctx, ctx.event.conversation, textReply(message, { ephemeral: true, status: 'error' }));
  } catch (second) {
    ctx.deps.logger.error('could not report a failure to the user', { error: (second as Error).message });
  }
}
