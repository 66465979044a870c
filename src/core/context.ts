import type { CheckQueue } from './check-queue.js';
import type { Clock } from '../kernel/clock.js';
import type { Command } from './commands.js';
import type { CoreStore } from './core-store.js';
import type { Authorizer, Role } from './authorizer.js';
import type { ChatAdapter, InboundEvent } from './events.js';
import type { Logger } from './logger.js';
import type { ButtonAction } from './reply.js';
import type { RelayClient } from '../relay/relay-client.js';

// What every handler receives. Handlers are plain functions of this context (Probot-style):
// no platform types, no globals.

export interface CoreDeps {
  relay: RelayClient;
  clock: Clock;
  store: CoreStore;
  authorizer: Authorizer;
  logger: Logger;
  eventWindowHours: number;
  /** DC_EVIDENCE_MAX (default 4). */
  maxDcs?: number;
  /** Commands and buttons contributed by other modules (approvals, scheduler). */
  extensions?: CoreExtension[];
  /** Admission control: bounds the checks running and waiting on this replica. */
  checkQueue?: CheckQueue;
}

export interface HandlerContext {
  event: InboundEvent;
  adapter: ChatAdapter;
  deps: CoreDeps;
}

export type CommandHandler<C extends Command = Command> = (ctx: HandlerContext, command: C) => Promise<void>;
export type ActionHandler = (ctx: HandlerContext, action: { name: ButtonAction; recordId: string; value?: string }) => Promise<void>;

export interface CoreExtension {
  commands?: { [N in Command['name']]?: { role: Role; handle: CommandHandler<Extract<Command, { name: N }>> } };
  actions?: { [A in ButtonAction]?: { role: Role; handle: ActionHandler } };
}
