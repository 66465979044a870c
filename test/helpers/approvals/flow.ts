import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario } from '../../../src/lab/load.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createBotCore } from '../../../src/core/bot-core.js';
import { fixedClock } from '../../../src/kernel/clock.js';
import type { Actor } from '../../../src/core/events.js';
import { silentLogger, type Logger } from '../../../src/core/logger.js';
import type { BackendContext, RelayBackend } from '../../../src/relay/backend.js';
import { HttpRelayClient } from '../../../src/relay/client.js';
import { operations, type OperationName, type OpParams, type OpResult } from '../../../src/relay/protocol.js';
import { randomRelaySecret } from '../../../src/relay/signing.js';
import { startRelayServer, type RunningRelay } from '../../../src/relay/server/start-relay-server.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { parsePolicy } from '../../../src/approvals/policy-load.js';
import { PolicyAuthorizer } from '../../../src/approvals/policy-authorizer.js';
import type { ApprovalsDeps } from '../../../src/approvals/approvals-deps.js';
import { approvalsExtension } from '../../../src/approvals/extension.js';
import { StoreBackedCoreStore } from '../../../src/store/core-store-adapter.js';
import { FakeChat } from './fake-chat.js';

// The whole approvals flow as it runs in production, minus the chat platform: the real core with
// the approvals extension, a SQLite store, the policy authorizer, and the signed HTTP relay with
// writes enabled and approval tokens verified, in front of the backend a test chooses. The
// backend is wrapped so a test can count the writes that reached it.

export const TEST_POLICY = `
channels: { web: ["*"], slack: ["*"] }
people:
  - { name: olivia, displayName: "Olivia", web: olivia, slack: U0OLIVIA }
  - { name: adam, displayName: "Adam", web: adam }
  - { name: anna, displayName: "Anna", web: anna }
  - { name: vera, displayName: "Vera", web: vera }
roles:
  viewer: ["*"]
  operator: ["person:olivia", "person:adam"]
  approver: ["person:adam", "person:anna", "slack:U0OLIVIA"]
remediation: { mode: kcd, includeCifs: true }
planTtlMinutes: 30
`;

export const people = {
  olivia: { platform: 'web', id: 'olivia', displayName: 'Olivia' },
  /** Olivia again, from Slack: linked in the policy, so the same person. */
  oliviaOnSlack: { platform: 'slack', id: 'U0OLIVIA' },
  adam: { platform: 'web', id: 'adam', displayName: 'Adam' },
  anna: { platform: 'web', id: 'anna', displayName: 'Anna' },
  vera: { platform: 'web', id: 'vera', displayName: 'Vera' },
} satisfies Record<string, Actor>;

export class WriteCountingBackend implements RelayBackend {
  readonly name: string;
  readonly writes: Array<{ op: OperationName; params: unknown }> = [];
  constructor(private readonly inner: RelayBackend) {
    this.name = inner.name;
  }
  supports(op: OperationName): boolean {
    return this.inner.supports(op);
  }
  handle<O extends OperationName>(op: O, params: OpParams<O>, ctx: BackendContext): Promise<OpResult<O>> {
    if (operations[op].write) this.writes.push({ op, params });
    return this.inner.handle(op, params, ctx);
  }
  count(op: OperationName): number {
    return this.writes.filter((w) => w.op === op).length;
  }
  async close(): Promise<void> {
    await this.inner.close?.();
  }
}

export interface Flow {
  chat: FakeChat;
  store: Store;
  backend: WriteCountingBackend;
  relay: RunningRelay;
  /** The relay's audit log (JSON lines). */
  auditFile: string;
  client: HttpRelayClient;
  deps: ApprovalsDeps;
  clock: ReturnType<typeof fixedClock>;
  close(): Promise<void>;
}

export async function startFlow(backend: RelayBackend, options: { now?: string; policy?: string; databaseUrl?: string; logger?: Logger } = {}): Promise<Flow> {
  const logger = options.logger ?? silentLogger;
  const clock = fixedClock(options.now ?? new Date().toISOString());
  const secret = randomRelaySecret();
  const approvalKey = randomRelaySecret();
  const counting = new WriteCountingBackend(backend);
  const audit = path.join(mkdtempSync(path.join(tmpdir(), 'approvals-')), 'relay-audit.jsonl');
  const relay = await startRelayServer({ backend: counting, keys: { bot: secret }, writesEnabled: true, approvalKey, audit, clock, logger: logger.child({ service: 'triage-relay' }) });
  const client = new HttpRelayClient({ url: relay.url, keyId: 'bot', secret, clock, timeoutMs: 20_000 });
  const store = await openStore(options.databaseUrl ?? 'sqlite::memory:');
  const policy = parsePolicy(options.policy ?? TEST_POLICY, 'test-policy.yaml');
  const authorizer = new PolicyAuthorizer(policy, client);
  const chat = new FakeChat();
  const deps: ApprovalsDeps = { store, relay: client, policy, authorizer, clock, logger, approvalKey, planTtlMinutes: 30, eventWindowHours: 72, adapters: [chat] };
  const core = createBotCore({ relay: client, clock, store: new StoreBackedCoreStore(store), authorizer, logger, eventWindowHours: 72, extensions: [approvalsExtension(deps)] });
  await chat.start(core);
  return {
    chat,
    store,
    backend: counting,
    relay,
    auditFile: audit,
    client,
    deps,
    clock,
    async close() {
      client.close();
      await relay.close();
      await store.close();
    },
  };
}

/** Runs the check as olivia and proposes the fix from its result; returns the plan card. */
export async function checkAndPropose(flow: Flow, nodes: string[], by: Actor = people.olivia) {
  await flow.chat.command(by, `migration-check ${nodes.join(' ')}`);
  const result = flow.chat.withButton('propose-fix');
  if (!result) throw new Error(`the check posted no Propose fix button: ${flow.chat.messages.map((m) => FakeChat.text(m.reply)).join('\n---\n')}`);
  await flow.chat.click(by, 'propose-fix', flow.chat.buttonOf(result, 'propose-fix'), { on: result });
  const card = flow.chat.withButton('approve');
  if (!card) throw new Error(`no plan card was posted; ${by.id} was told: ${flow.chat.told(by.id).join(' | ')}`);
  return { card, planId: flow.chat.buttonOf(card, 'approve') };
}

/** A second bot replica on the same database and relay: its own store connection, core and chat. */
export async function addReplica(flow: Flow, databaseUrl: string): Promise<{ chat: FakeChat; store: Store; close(): Promise<void> }> {
  const store = await openStore(databaseUrl);
  const chat = new FakeChat();
  const deps: ApprovalsDeps = { ...flow.deps, store, adapters: [chat] };
  const core = createBotCore({ relay: flow.client, clock: flow.clock, store: new StoreBackedCoreStore(store), authorizer: flow.deps.authorizer, logger: silentLogger, eventWindowHours: 72, extensions: [approvalsExtension(deps)] });
  await chat.start(core);
  return { chat, store, close: () => store.close() };
}

/** The approval tests' own scenario (a copy of the default lab they assert on), not lab/default.yaml. */
export const APPROVALS_SCENARIO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/lab/approvals.yaml');

/** The flow on a lab scenario (the approvals fixture unless a file in lab/ is named) at its pinned clock, with no injected latency. */
export async function startLabFlow(options: { policy?: string; scenario?: string } = {}): Promise<{ lab: LabBackend; flow: Flow }> {
  const file = options.scenario ? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../lab', options.scenario) : APPROVALS_SCENARIO;
  const scenario = await loadScenario(file);
  const lab = new LabBackend(scenario, { latency: { hostMs: 0, directoryMs: 0 } });
  const flow = await startFlow(lab, { now: '2026-11-20T09:00:00Z', ...(options.policy !== undefined ? { policy: options.policy } : {}) });
  return { lab, flow };
}
