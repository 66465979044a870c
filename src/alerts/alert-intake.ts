import { buildCommandTable } from '../core/registry.js';
import { createHash } from 'node:crypto';
import { runCheckFlow } from '../core/check-flow.js';
import { printable, validateNodes } from '../core/commands.js';
import type { CoreDeps, HandlerContext } from '../core/context.js';
import type { ChatAdapter, InboundEvent } from '../core/events.js';
import { textReply, type Reply } from '../core/reply.js';
import { nodeNameProblem, sameHost, shortName } from '../kernel/node-name.js';
import type { ConversationRef, MessageRef } from '../kernel/refs.js';
import { RelayError } from '../relay/protocol.js';
import { adapterFor, resolveTarget } from '../scheduler/targets.js';
import type { Store } from '../store/store.js';
import type { AlertRoute, AlertSource, AlertsPolicy } from '../approvals/alert-policy-schema.js';
import type { NormalizedAlert } from './payloads.js';

// What happens to an authenticated, well-formed alert: its names are checked like chat input,
// the policy routes it to channels, the store decides (compare-and-swap on the alert's
// deduplication key) which replica posts it, and that replica posts the alert with a check run
// by the bot's own identity in its thread: the usual buttons and the two-person fix flow
// follow. A duplicate within the window only updates the first post; "resolved" is said once.

export interface AlertIntakeDeps {
  policy: AlertsPolicy;
  store: Store;
  /** The core's dependencies: relay, clock, check-run store, logger, event window. */
  core: CoreDeps;
  adapters: ChatAdapter[];
  /** This replica's name in claims (host and pid). */
  owner: string;
}

export interface IntakeAnswer {
  status: number;
  body: { outcome: 'checking' | 'duplicate' | 'resolved' | 'not-posted' | 'refused'; message: string; seen?: number };
}

/** Thread updates on duplicates at these counts only: a storm of 1000 edits the post a dozen times, not 1000. */
function worthAnUpdate(seen: number): boolean {
  if (seen < 2) return false;
  const magnitude = 10 ** Math.floor(Math.log10(seen));
  return [1, 2, 5].some((m) => seen === m * magnitude);
}

/** Claimed alerts waiting for a run slot on one replica, at most. */
const QUEUE_LIMIT = 100;

export class AlertIntake {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: AlertIntakeDeps) {}

  /** Checks running now (at most policy.maxConcurrentRuns), and claimed ones waiting for a slot. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Resolves when every run started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async receive(source: AlertSource, alert: NormalizedAlert): Promise<IntakeAnswer> {
    const refused = (status: number, message: string): IntakeAnswer => ({ status, body: { outcome: 'refused', message } });
    for (const name of [...alert.nodes, ...(alert.cluster ? [alert.cluster] : [])]) {
      const problem = nodeNameProblem(name);
      if (problem) return refused(400, `"${printable(name)}" is not a valid node or cluster name: it ${problem}`);
    }
    if (alert.nodes.length > 64) return refused(400, `the alert names ${alert.nodes.length} nodes; at most 64`);
    const route = await this.routeOf(alert);
    if (!route) return refused(422, `no route in the policy file's alerts.routes for ${describeAlert(alert)}`);
    const key = dedupKey(source.name, alert);

    if (alert.status === 'resolved') return this.resolved(key, source, alert);

    const run = await this.runOf(route, alert);
    if ('refusal' in run) return refused(run.status, run.refusal);
    // Claimed alerts wait for one of maxConcurrentRuns slots; past QUEUE_LIMIT waiting, a new
    // alert is refused before its claim (429: the sender retries), so nothing is claimed and lost.
    if (this.waiting.length >= QUEUE_LIMIT) {
      return { status: 429, body: { outcome: 'not-posted', message: `${this.running} alert-triggered checks are running and ${this.waiting.length} waiting on this replica; retry later` } };
    }
    const claimed = await this.deps.store.claimAlertThread({
      key,
      source: source.name,
      fingerprint: alert.fingerprint,
      nodes: nodeSet(alert),
      owner: this.deps.owner,
      now: this.deps.core.clock.now(),
      windowMs: this.deps.policy.dedupMinutes * 60_000,
    });
    if (!claimed) return this.duplicate(key, source, alert);
    const work = this.slot()
      .then(() => this.post(key, source, alert, route, run))
      .finally(() => {
        this.release();
        this.inFlight.delete(work);
      });
    this.inFlight.add(work);
    return { status: 202, body: { outcome: 'checking', message: `checking ${run.cluster ? `cluster ${run.cluster}` : run.nodes.join(', ')}; the result is posted in ${route.targets.map((t) => `${t.platform}:${t.channelId}`).join(', ')}` } };
  }

  /** Waits for a run slot (at most policy.maxConcurrentRuns at once). */
  private slot(): Promise<void> {
    if (this.running < this.deps.policy.maxConcurrentRuns) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => resolve()));
  }

  /** Hands the slot to the next waiting run, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }

  private async routeOf(alert: NormalizedAlert): Promise<AlertRoute | undefined> {
    for (const route of this.deps.policy.routes) {
      if (route.nodes) {
        if (alert.nodes.length > 0 && alert.nodes.every((n) => route.nodes!.some((r) => sameHost(r, n)))) return route;
        continue;
      }
      if (route.cluster) {
        if (alert.cluster && sameHost(alert.cluster, route.cluster)) return route;
        if (alert.nodes.length > 0) {
          const members = await this.clusterMembers(route.cluster);
          if (members && alert.nodes.every((n) => members.some((m) => sameHost(m, n)))) return route;
        }
        continue;
      }
      return route;
    }
    return undefined;
  }

  private async clusterMembers(cluster: string): Promise<string[] | undefined> {
    try {
      return (await this.deps.core.relay.call('cluster.nodes', { cluster }, { requester: 'alerts' })).nodes;
    } catch {
      return undefined;
    }
  }

  /** The check the alert becomes: its nodes, or the cluster's health when it names fewer than two. */
  private async runOf(route: AlertRoute, alert: NormalizedAlert): Promise<{ nodes: string[]; cluster?: string } | { status: number; refusal: string }> {
    const cluster = route.run === 'cluster-health' ? route.cluster : alert.nodes.length >= 2 ? undefined : (alert.cluster ?? route.cluster);
    if (cluster) {
      const nodes = await this.clusterMembers(cluster);
      if (!nodes) return { status: 422, refusal: `unknown cluster ${cluster} (the relay did not list its nodes)` };
      if (nodes.length < 2) return { status: 422, refusal: `cluster ${cluster} has ${nodes.length} node(s); live migration needs two` };
      return { nodes, cluster };
    }
    const problem = validateNodes(alert.nodes, 'nodes: [HV01, HV02]');
    if (problem) return { status: 422, refusal: alert.nodes.length < 2 ? 'the alert names fewer than two nodes and no cluster to check' : problem };
    // Unknown names are refused before anything is posted, as a mistyped chat command is.
    try {
      const { notFound } = await this.deps.core.relay.call('directory.computers', { names: alert.nodes }, { requester: 'alerts' });
      if (notFound.length > 0) return { status: 422, refusal: `unknown node ${notFound.map(printable).join(', ')}: no computer object in the directory` };
    } catch (err) {
      // The directory being down is itself a finding: the check runs and says so.
      if (!(err instanceof RelayError)) throw err;
    }
    return { nodes: alert.nodes };
  }

  private async duplicate(key: string, source: AlertSource, alert: NormalizedAlert): Promise<IntakeAnswer> {
    const thread = await this.deps.store.countAlertDuplicate(key);
    const seen = thread?.seen ?? 1;
    if (thread?.message && worthAnUpdate(seen)) {
      const adapter = adapterFor(this.deps.adapters, thread.message.conversation.platform);
      await adapter?.update(thread.message, alertReply(source, alert, `Seen ${seen} times; last at ${this.deps.core.clock.now().toISOString()}.`)).catch((err: unknown) => this.deps.core.logger.warn('could not update an alert post', { error: (err as Error).message }));
    }
    return { status: 200, body: { outcome: 'duplicate', message: `already posted (delivery ${seen} within the deduplication window)`, seen } };
  }

  private async resolved(key: string, source: AlertSource, alert: NormalizedAlert): Promise<IntakeAnswer> {
    const thread = await this.deps.store.resolveAlertThread(key, this.deps.core.clock.now());
    if (!thread?.message) return { status: 200, body: { outcome: 'not-posted', message: 'no open thread for this alert (never posted, or resolved already)' } };
    const adapter = adapterFor(this.deps.adapters, thread.message.conversation.platform);
    if (adapter) {
      const at = this.deps.core.clock.now().toISOString();
      await adapter.post(inThread(thread.message), textReply(`Resolved: ${source.name} says "${alert.summary}" is resolved (${at}).`));
      await adapter.update(thread.message, alertReply(source, alert, `Resolved at ${at}.`, 'healthy')).catch(() => undefined);
    }
    return { status: 200, body: { outcome: 'resolved', message: 'resolved added to the thread' } };
  }

  private async post(key: string, source: AlertSource, alert: NormalizedAlert, route: AlertRoute, run: { nodes: string[]; cluster?: string }): Promise<void> {
    const { logger } = this.deps.core;
    try {
      let recorded = false;
      for (const target of route.targets) {
        const adapter = adapterFor(this.deps.adapters, target.platform);
        if (!adapter) {
          logger.warn('alert route names a platform this replica does not run', { platform: target.platform, source: source.name });
          continue;
        }
        const conversation = await resolveTarget(this.deps.store, { platform: target.platform, channelId: target.channelId });
        const message = await adapter.post(conversation, alertReply(source, alert, `Checking ${run.cluster ? `cluster ${run.cluster}` : run.nodes.join(', ')} now; the result follows in the thread.`));
        if (!recorded) recorded = await this.deps.store.setAlertMessage(key, this.deps.owner, message);
        await runCheckFlow(this.contextFor(source, adapter, inThread(message)), { nodes: run.nodes, ...(run.cluster ? { cluster: run.cluster } : {}), conversation: inThread(message), acknowledge: false });
      }
    } catch (err) {
      logger.error('alert-triggered check failed', { source: source.name, error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** The bot's own identity runs the check: no person typed it, so nothing is said to one. */
  private contextFor(source: AlertSource, adapter: ChatAdapter, conversation: ConversationRef): HandlerContext {
    const event: InboundEvent = {
      kind: 'command',
      text: 'migration-check',
      actor: { platform: adapter.platform, id: `alert:${source.name}`, displayName: `alert from ${source.name}` },
      conversation,
      ack: async () => {},
    };
    return { event, adapter, deps: this.deps.core, table: NO_COMMANDS };
  }
}

// The check flow reads no command table; an alert's run registers nothing and presents its
// cluster result plainly (the scheduler's "what changed" belongs to its scheduled posts).
const NO_COMMANDS = buildCommandTable([]);

function inThread(message: MessageRef): ConversationRef {
  return { ...message.conversation, threadId: message.conversation.threadId ?? message.messageId };
}

/** Short names, upper-case, sorted: HV01,HV02 whatever order or form the alert used. */
function nodeSet(alert: NormalizedAlert): string[] {
  return [...new Set(alert.nodes.map(shortName))].sort();
}

export function dedupKey(source: string, alert: NormalizedAlert): string {
  const id = [source, alert.fingerprint, nodeSet(alert).join(','), alert.cluster ? shortName(alert.cluster) : ''].join('\u0000');
  return createHash('sha256').update(id).digest('hex');
}

function describeAlert(alert: NormalizedAlert): string {
  return alert.nodes.length ? `nodes ${alert.nodes.map(printable).join(', ')}` : `cluster ${printable(alert.cluster ?? '?')}`;
}

export function alertReply(source: AlertSource, alert: NormalizedAlert, status: string, verdict: 'info' | 'healthy' = 'info'): Reply {
  return {
    header: `Alert · ${alert.summary.slice(0, 140)}`,
    verdict: { status: verdict, text: `${alert.severity ? `${alert.severity} ` : ''}alert from ${source.name}: ${alert.summary} ${status}` },
    facts: [
      { label: 'Source', value: alert.origin && alert.origin !== source.name ? `${source.name} (${alert.origin})` : source.name },
      ...(alert.nodes.length ? [{ label: 'Nodes', value: alert.nodes.join(', ') }] : []),
      ...(alert.cluster ? [{ label: 'Cluster', value: alert.cluster }] : []),
      ...(alert.link ? [{ label: 'Alert', value: alert.link }] : []),
    ],
    context: [`Posted by triage-bot for alert ${alert.fingerprint.slice(0, 80)}`],
  };
}
