import path from 'node:path';
import type { Authorizer, Role } from '../../src/core/authorizer.js';
import { createBotCore } from '../../src/core/bot-core.js';
import { fixedClock } from '../../src/kernel/clock.js';
import type { ChatPlatform, Platform } from '../../src/kernel/platform.js';
import type { ConversationRef, MessageRef } from '../../src/kernel/refs.js';
import type { Actor, ChatAdapter, CoreHandler, InboundEvent } from '../../src/core/events.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import type { Reply } from '../../src/core/reply.js';
import { StoreBackedCoreStore } from '../../src/store/core-store-adapter.js';
import { LabBackend } from '../../src/lab/lab-backend.js';
import { loadScenario, parseScenario } from '../../src/lab/load.js';
import { SwitchableBackend } from '../../src/lab/switchable-backend.js';
import { InProcessRelayClient } from '../../src/relay/in-process-client.js';
import { createSchedulerModule, type SchedulerModule } from '../../src/scheduler/index.js';
import type { PolicySchedule } from '../../src/approvals/policy-schema.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/store.js';

// The scheduler against real parts: a real store (SQLite or PostgreSQL), the lab relay on a
// shipped scenario (switchable between runs to break or heal a direction), and adapters that
// record what each platform would be asked to show. Time is a fixed clock the test moves.

export const LAB_DIR = path.resolve(import.meta.dirname, '../../lab');

export class RecordingAdapter implements ChatAdapter {
  readonly posts: Array<{ ref: ConversationRef; reply: Reply }> = [];
  readonly updates: Array<{ ref: MessageRef; reply: Reply }> = [];
  readonly ephemeral: Array<{ ref: ConversationRef; reply: Reply }> = [];
  /** When set, every post fails with it (a channel that is gone). */
  failWith: unknown;
  /** Posts to these channels wait for the promise (a slow platform). */
  readonly holds = new Map<string, Promise<void>>();
  constructor(readonly platform: Platform) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async post(ref: ConversationRef, reply: Reply): Promise<MessageRef> {
    if (this.failWith) throw this.failWith;
    await this.holds.get(ref.channelId);
    this.posts.push({ ref, reply });
    return { conversation: { ...ref, threadId: ref.threadId ?? `m${this.posts.length}` }, messageId: `m${this.posts.length}` };
  }
  async update(ref: MessageRef, reply: Reply): Promise<void> {
    this.updates.push({ ref, reply });
  }
  async postEphemeral(ref: ConversationRef, _actor: Actor, reply: Reply): Promise<void> {
    this.ephemeral.push({ ref, reply });
  }
}

/** Operators by actor id; everyone is a viewer. */
export function rolesAuthorizer(operators: string[]): Authorizer {
  return {
    channelAllowed: async () => true,
    authorize: async (actor: Actor, role: Role) =>
      role === 'viewer' || operators.includes(actor.id) ? { ok: true } : { ok: false, reason: `${actor.id} is not in roles.${role} of the policy file.` },
  };
}

export interface Harness {
  store: Store;
  module: SchedulerModule;
  clock: ReturnType<typeof fixedClock>;
  adapters: Record<ChatPlatform, RecordingAdapter>;
  core: CoreHandler;
  /** Serve another shipped scenario from the next relay call on. */
  useScenario(file: string): Promise<void>;
  /** A command typed by `actorId` in Slack channel C1; resolves with what the actor was told at once. */
  command(text: string, actorId?: string): Promise<Reply[]>;
  close(): Promise<void>;
}

export async function labBackend(file: string): Promise<LabBackend> {
  return new LabBackend(await loadScenario(path.join(LAB_DIR, file)), { latency: { hostMs: 0, directoryMs: 0 } });
}

export interface HarnessOptions {
  now: string;
  url?: string;
  scenario?: string;
  owner?: string;
  policySchedules?: PolicySchedule[];
  store?: Store;
  /** Real platform adapters to post through instead of the recording ones. */
  platformAdapters?: ChatAdapter[];
  authorizer?: Authorizer;
  /** A scenario given as YAML text (generated clusters) instead of a shipped file. */
  scenarioText?: string;
  /** The loop's longest sleep (tests with a fast clock). */
  maxSleepMs?: number;
  clock?: ReturnType<typeof fixedClock>;
  logger?: Logger;
}

export async function startHarness(opts: HarnessOptions = { now: '2027-03-26T12:00:00Z' }): Promise<Harness> {
  const store = opts.store ?? (await openStore(opts.url ?? 'sqlite::memory:'));
  const first = opts.scenarioText
    ? new LabBackend(parseScenario(opts.scenarioText, 'generated.yaml'), { latency: { hostMs: 0, directoryMs: 0 } })
    : await labBackend(opts.scenario ?? 'healthy.yaml');
  const backend = new SwitchableBackend(first);
  const relay = new InProcessRelayClient(backend, 'lab');
  const clock = opts.clock ?? fixedClock(opts.now);
  const adapters = { slack: new RecordingAdapter('slack'), teams: new RecordingAdapter('teams'), web: new RecordingAdapter('web') };
  const module = await createSchedulerModule({
    store,
    coreStore: new StoreBackedCoreStore(store),
    relay,
    clock,
    logger: opts.logger ?? silentLogger,
    adapters: opts.platformAdapters ?? Object.values(adapters),
    eventWindowHours: 72,
    owner: opts.owner ?? 'replica-a',
    policySchedules: opts.policySchedules ?? [],
    ...(opts.maxSleepMs ? { maxSleepMs: opts.maxSleepMs } : {}),
  });
  const core = createBotCore({ relay, clock, store: new StoreBackedCoreStore(store), authorizer: opts.authorizer ?? rolesAuthorizer(['UOPS']), logger: silentLogger, eventWindowHours: 72, extensions: [module.extension] });
  return {
    store,
    module,
    clock,
    adapters,
    core,
    useScenario: async (file) => backend.swap(await labBackend(file)),
    command: async (text, actorId = 'UOPS') => {
      const told: Reply[] = [];
      const event: InboundEvent = {
        kind: 'command',
        text,
        actor: { platform: 'slack', id: actorId },
        conversation: { platform: 'slack', channelId: 'C1', threadId: '1700000000.000100' },
        ack: async (reply) => {
          if (reply) told.push(reply);
        },
      };
      await core.handle(event, adapters.slack);
      return [...told, ...adapters.slack.ephemeral.splice(0).map((e) => e.reply)];
    },
    close: async () => {
      await module.scheduler.stop();
      await backend.close();
      if (!opts.store) await store.close();
    },
  };
}

/** The verdict line and every section line of a reply, as one text to assert on. */
export function replyText(reply: Reply): string {
  return [reply.header, reply.verdict?.text ?? '', ...(reply.sections ?? []).flatMap((s) => [s.title, ...s.lines])].join('\n');
}
