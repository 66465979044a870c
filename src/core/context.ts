import type { CheckQueue } from './check-queue.js';
import type { Clock } from '../kernel/clock.js';
import type { CoreStore } from './core-store.js';
import type { Authorizer } from './authorizer.js';
import type { ChatAdapter, InboundEvent } from './events.js';
import type { Logger } from './logger.js';
import type { ButtonClick, CommandTable, CoreExtension } from './registry.js';
import type { RelayClient } from '../relay/relay-client.js';

// What every handler receives. Handlers are plain functions of this context (Probot-style):
// no platform types, no globals.

export interface CoreDeps {
  relay: RelayClient;
  clock: Clock;
  /**
   * The instant evidence is collected and judged at (event windows, "evidence collected"): the lab
   * scenario's `now` in lab mode, so every surface agrees with `triage check`; default `clock`.
   */
  evidenceClock?: Clock;
  store: CoreStore;
  authorizer: Authorizer;
  logger: Logger;
  eventWindowHours: number;
  /** Commands and buttons contributed by other modules (approvals, scheduler); see registry.ts. */
  extensions?: CoreExtension[];
  /** Admission control: bounds the checks running and waiting on this replica. */
  checkQueue?: CheckQueue;
}

export interface HandlerContext {
  event: InboundEvent;
  adapter: ChatAdapter;
  deps: CoreDeps;
  /** What the extensions registered (help lines, the cluster presenter). */
  table: CommandTable;
}

export type CommandHandler<A> = (ctx: HandlerContext, args: A) => Promise<void>;
export type ActionHandler = (ctx: HandlerContext, action: ButtonClick) => Promise<void>;

export type { CoreExtension };
