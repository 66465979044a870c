import { newRequestId, withRequestId } from '../kernel/request-id.js';
import { parseCommand, type Command } from './commands.js';
import type { ActionHandler, CommandHandler, CoreDeps, HandlerContext } from './context.js';
import type { Role } from './authorizer.js';
import type { ChatAdapter, CoreHandler, InboundEvent } from './events.js';
import { textReply } from './reply.js';
import { isUserSafe } from './user-error.js';
import { tellActor } from './check-flow.js';
import { builtinActions, builtinCommands } from './builtin-handlers.js';
import type { ButtonAction } from './reply.js';

// The core: parse, authorise, route. It never throws into an adapter: a failure becomes a short
// message for the person who acted, and the details go to the log.

type CommandEntry = { role: Role; handle: CommandHandler<never> };
type ActionEntry = { role: Role; handle: ActionHandler };

export function createBotCore(deps: CoreDeps): CoreHandler {
  const commands = new Map<string, CommandEntry>(Object.entries(builtinCommands) as Array<[string, CommandEntry]>);
  const actions = new Map<string, ActionEntry>(Object.entries(builtinActions) as Array<[string, ActionEntry]>);
  for (const ext of deps.extensions ?? []) {
    for (const [name, entry] of Object.entries(ext.commands ?? {})) commands.set(name, entry as CommandEntry);
    for (const [name, entry] of Object.entries(ext.actions ?? {})) actions.set(name, entry as ActionEntry);
  }

  return {
    handle(event: InboundEvent, adapter: ChatAdapter): Promise<void> {
      // One request id per event: on every log line (the child logger here, the current id for
      // code that logs through its own logger), on every relay call and in every audit row.
      const requestId = event.requestId ?? newRequestId();
      return withRequestId(requestId, () => handleEvent({ event, adapter, deps: { ...deps, logger: deps.logger.child({ requestId }) } }));
    },
  };

  async function handleEvent(ctx: HandlerContext): Promise<void> {
    const { event } = ctx;
    try {
      if (!(await deps.authorizer.channelAllowed(event.conversation))) {
        await event.ack(textReply('triage-bot is not enabled in this channel. Ask an admin to add it to the policy file.', { ephemeral: true, status: 'error' }));
        return;
      }
      if (event.kind === 'action') await routeAction(ctx, actions);
      else await routeCommand(ctx, commands);
      ctx.deps.logger.info('event handled', eventFields(event));
    } catch (err) {
      await reportFailure(ctx, err);
    }
  }
}

/** What an event's log lines say about it: who, where, which command or button (never its full text). */
function eventFields(event: InboundEvent): Record<string, unknown> {
  return { platform: event.actor.platform, actor: event.actor.id, kind: event.kind, name: event.action?.name ?? event.text.split(/\s+/, 1)[0] };
}

async function routeCommand(ctx: HandlerContext, commands: Map<string, CommandEntry>): Promise<void> {
  const parsed = parseCommand(ctx.event.text);
  if (!parsed.ok) {
    await ctx.event.ack(textReply(parsed.message, { ephemeral: true, status: 'error' }));
    return;
  }
  const entry = commands.get(parsed.command.name);
  if (!entry) {
    await ctx.event.ack(textReply(`${parsed.command.name} is not available in this deployment.`, { ephemeral: true, status: 'error' }));
    return;
  }
  if (!(await permitted(ctx, entry.role, true))) return;
  await (entry.handle as CommandHandler<Command>)(ctx, parsed.command);
}

async function routeAction(ctx: HandlerContext, actions: Map<string, ActionEntry>): Promise<void> {
  const action = ctx.event.action;
  const entry = action ? actions.get(action.name) : undefined;
  if (!action || !entry) {
    await ctx.event.ack(textReply('This button is not one triage-bot knows; nothing was done.', { ephemeral: true, status: 'error' }));
    return;
  }
  if (!(await permitted(ctx, entry.role, true))) return;
  await entry.handle(ctx, { name: action.name as ButtonAction, recordId: action.recordId, ...(action.value ? { value: action.value } : {}) });
}

/** Asks the authorizer; on refusal tells the actor why (ephemeral) and returns false. */
export async function permitted(ctx: HandlerContext, role: Role, viaAck: boolean): Promise<boolean> {
  const decision = await ctx.deps.authorizer.authorize(ctx.event.actor, role);
  if (decision.ok) return true;
  const reply = textReply(`You need the ${role} role for that: ${decision.reason}`, { ephemeral: true, status: 'error' });
  if (viaAck) await ctx.event.ack(reply);
  else await tellActor(ctx, ctx.event.conversation, reply);
  return false;
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
