import type { Role } from './authorizer.js';
import type { CheckRequest } from './check-flow.js';
import type { HandlerContext } from './context.js';
import type { Actor } from './events.js';
import { printable, tokenize } from './commands.js';

/**
 * The registry: how a command or a button gets into the bot. Each extension (the builtins in
 * src/core/builtin-handlers.ts, approvals in src/approvals/extension.ts, schedules in
 * src/scheduler/index.ts) is a named `CoreExtension` whose `register` adds what it owns:
 *
 *   export const whoamiExtension: CoreExtension = {
 *     name: 'whoami',
 *     register(r) {
 *       r.command({
 *         name: 'whoami',                // unique among commands: metrics label, error messages
 *         word: 'whoami',                // the first word typed (`/whoami`, `@triage-bot whoami`)
 *         role: 'viewer',                // enforced by the core before `handle` runs
 *         parse: (args) => (args.length === 0 ? { ok: true, value: {} } : { ok: false, message: 'whoami takes no arguments. Example: whoami' }),
 *         handle: async (ctx) => ctx.event.ack(textReply(`You are ${ctx.event.actor.id}.`, { ephemeral: true })),
 *         help: '/whoami — who triage-bot takes you for.',
 *         example: 'whoami',
 *       });
 *       r.action({ name: 'save-scenario', role: 'operator', handle: async (ctx, action) => { ... } });
 *     },
 *   };
 *
 * and is passed to the core in `CoreDeps.extensions` (the running bot: src/app/extensions.ts).
 * Nothing in src/core changes to add one.
 *
 * Rules, checked when the core is built (start-up), so a clash stops the bot instead of one
 * registration silently winning:
 * - command names and action names are unique (each has one owner);
 * - a word has at most one default command; further commands on the same word are sub-commands
 *   that `claims` their arguments (`cluster-health schedules` beside `cluster-health <cluster>`),
 *   tried in registration order before the default;
 * - an action name is what rides on the wire (Slack `action_id` "triage:<name>", the Teams card
 *   verb, the web form), so it is lower-case letters and hyphens, at most 64 characters.
 *
 * `parse` turns the words after the command word into the handler's typed arguments, or a
 * one-line explanation with a correct example for the person who typed it (never a stack trace).
 * `help` is the command's line in `help`; `example` (with `suggest: true`) is offered after an
 * unknown command. `role` is the least role the command or button needs; refusals are told to
 * the actor and, when the spec names an `audit` action, recorded in the audit log.
 */

export type Parsed<A> = { ok: true; value: A } | { ok: false; message: string };

export interface ParseHelp {
  /** The examples of every command sharing this word, in registration order. */
  examples: string[];
}

/** How a refused role reads, and where it is audited. */
export interface Refusal {
  /** Completes "You need the operator role …": "to propose a fix". Default "for that". */
  purpose?: string;
  /** Appended after the reason: "Nothing was done." */
  suffix?: string;
  /** The audit action a refusal is recorded under ("plan.propose"); unset: not audited. */
  audit?: string;
}

export interface CommandSpec<A = unknown> {
  name: string;
  word: string;
  /** For a sub-command sharing its word: whether these arguments are its own. */
  claims?: (args: string[]) => boolean;
  parse: (args: string[], help: ParseHelp) => Parsed<A>;
  role: Role;
  refusal?: Refusal;
  handle: (ctx: HandlerContext, args: A) => Promise<void>;
  help?: string;
  example?: string;
  /** Offer the example after an unknown command. */
  suggest?: boolean;
}

export interface ButtonClick {
  name: string;
  recordId: string;
  value?: string;
}

export interface ActionSpec {
  name: string;
  role: Role;
  refusal?: Refusal;
  /**
   * A second way past the role check, asked only when the role is missing, with the click (e.g.
   * the proposer of a plan may reject it without the approver role).
   */
  alsoAllowed?: (ctx: HandlerContext, click: ButtonClick) => Promise<boolean>;
  handle: (ctx: HandlerContext, click: ButtonClick) => Promise<void>;
}

/** How a cluster's check result is presented (with what changed since its previous run). */
export type ClusterPresenter = (cluster: string) => Promise<CheckRequest['present']>;

/**
 * The identity step of the chain: adds what is known about the actor (Slack user groups...)
 * before roles are asked. Resolvers run in registration order; one that fails leaves the actor
 * as it was (the policy then sees less, never more).
 */
export type IdentityResolver = (actor: Actor) => Promise<Actor>;

/** One refusal made by the chain, for the audit log. */
export interface AuditEntry {
  actor: Actor;
  action: string;
  subjectId: string | null;
  outcome: 'refused';
  details: { reason: string };
}
export type AuditSink = (entry: AuditEntry) => Promise<void>;

export interface Registry {
  command<A>(spec: CommandSpec<A>): void;
  action(spec: ActionSpec): void;
  /** At most one extension presents cluster results; without one they read as a plain check. */
  presentCluster(presenter: ClusterPresenter): void;
  identify(resolver: IdentityResolver): void;
  /** Where the chain's refusals are audited (at most one sink). */
  auditWith(sink: AuditSink): void;
}

export interface CoreExtension {
  /** Named in start-up errors: "registered by both builtins and scheduler". */
  name: string;
  register(registry: Registry): void;
}

/** A clash between registrations, found when the core is built. */
export class RegistryConflict extends Error {
  override readonly name = 'RegistryConflict';
}

export type CommandParse = { ok: true; spec: CommandSpec; value: unknown } | { ok: false; message: string };

/** What the core built from its extensions: read-only. */
export interface CommandTable {
  parse(text: string): CommandParse;
  action(name: string): ActionSpec | undefined;
  /** `help` lines in registration order. */
  readonly helpLines: string[];
  readonly presentCluster: ClusterPresenter | undefined;
  readonly identity: IdentityResolver[];
  readonly audit: AuditSink | undefined;
}

const WORD = /^[a-z][a-z0-9-]{0,63}$/;
const ACTION_NAME = /^[a-z][a-z-]{0,63}$/;

type Owned<T> = T & { owner: string };

export function buildCommandTable(extensions: CoreExtension[]): CommandTable {
  const commands = new Map<string, Owned<CommandSpec>>();
  const byWord = new Map<string, Array<Owned<CommandSpec>>>();
  const actions = new Map<string, Owned<ActionSpec>>();
  let presenter: { owner: string; present: ClusterPresenter } | undefined;
  let auditSink: { owner: string; sink: AuditSink } | undefined;
  const identity: IdentityResolver[] = [];

  for (const ext of extensions) {
    const registry: Registry = {
      command<A>(spec: CommandSpec<A>) {
        const before = commands.get(spec.name);
        if (before) throw new RegistryConflict(`Command "${spec.name}" is registered by both ${before.owner} and ${ext.name}; each command has one owner.`);
        if (!WORD.test(spec.word)) throw new RegistryConflict(`Command "${spec.name}" (${ext.name}) has word "${spec.word}"; a command word is lower-case letters, digits and hyphens.`);
        const same = byWord.get(spec.word) ?? [];
        const otherDefault = same.find((s) => !s.claims);
        if (!spec.claims && otherDefault) {
          throw new RegistryConflict(`Commands "${otherDefault.name}" (${otherDefault.owner}) and "${spec.name}" (${ext.name}) both take every "${spec.word}"; give one a claims() for its sub-command.`);
        }
        const owned = { ...(spec as CommandSpec), owner: ext.name };
        commands.set(spec.name, owned);
        byWord.set(spec.word, [...same, owned]);
      },
      action(spec: ActionSpec) {
        const before = actions.get(spec.name);
        if (before) throw new RegistryConflict(`Button action "${spec.name}" is registered by both ${before.owner} and ${ext.name}; each button has one owner.`);
        if (!ACTION_NAME.test(spec.name)) throw new RegistryConflict(`Button action "${spec.name}" (${ext.name}) cannot ride on the wire; an action name is lower-case letters and hyphens, at most 64.`);
        actions.set(spec.name, { ...spec, owner: ext.name });
      },
      presentCluster(present: ClusterPresenter) {
        if (presenter) throw new RegistryConflict(`Cluster results are presented by both ${presenter.owner} and ${ext.name}; only one may.`);
        presenter = { owner: ext.name, present };
      },
      identify(resolver: IdentityResolver) {
        identity.push(resolver);
      },
      auditWith(sink: AuditSink) {
        if (auditSink) throw new RegistryConflict(`Refusals are audited by both ${auditSink.owner} and ${ext.name}; only one may.`);
        auditSink = { owner: ext.name, sink };
      },
    };
    ext.register(registry);
  }

  const suggestions = [...commands.values()].filter((s) => s.suggest && s.example).map((s) => s.example!);
  const unknown = (word: string): CommandParse => ({ ok: false, message: `Unknown command "${printable(word)}". Try: ${[...suggestions, 'or help.'].join(', ')}` });

  return {
    parse(text: string): CommandParse {
      const [first, ...args] = tokenize(text.trim());
      // An empty command is a request for help, as is a bare mention of the bot.
      const word = (first ?? '').toLowerCase().replace(/^\//, '') || 'help';
      const candidates = byWord.get(word);
      if (!candidates) return unknown(first ?? '');
      const spec = candidates.find((s) => s.claims?.(args)) ?? candidates.find((s) => !s.claims);
      if (!spec) return unknown(first ?? '');
      const parsed = spec.parse(args, { examples: candidates.filter((s) => s.example).map((s) => s.example!) });
      return parsed.ok ? { ok: true, spec, value: parsed.value } : parsed;
    },
    action: (name) => actions.get(name),
    helpLines: [...commands.values()].filter((s) => s.help).map((s) => s.help!),
    presentCluster: presenter?.present,
    identity,
    audit: auditSink?.sink,
  };
}
