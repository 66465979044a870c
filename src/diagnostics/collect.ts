import type { Clock } from '../kernel/clock.js';
import { nodeNameProblem, shortName } from '../kernel/node-name.js';
import { RelayError, spnSchema, MIGRATION_SERVICE, type OpResult } from '../relay/protocol.js';
import type { CallOptions, RelayClient } from '../relay/relay-client.js';
import type { DirectoryEvidence, Evidence, HostEvidence, Outcome } from './evidence.js';
import { accountName, findComputer } from './facts.js';

// Evidence collection: every node's reads at once (one host.evidence request per node), and, alongside them, a directory
// chain whose cost does not grow with N: one `directory.computers` for all nodes, then one
// `directory.spn-owners` for all their migration and HOST SPNs (plus `directory.user` for a named
// initiator, in parallel). host.dns alone waits for directory.computers, to ask for each peer's
// FQDN as the directory knows it. Every read is kept as an Outcome, so a failure is never mistaken for
// an empty answer.

export interface CollectOptions {
  clock: Clock;
  /** How far back host event logs are read. */
  eventWindowHours: number;
  /** Judge only failure events from this instant on (the re-check after a fix: when it started). */
  eventsSince?: Date;
  /** The account that starts migrations (UPN or mail), when one was named. */
  initiator?: string;
  /** Called once per node when all its host reads have settled; reachable = every read succeeded. */
  onHostDone?: (node: string, reachable: boolean) => void;
  /** Stable id of the person asking, for the relay's audit log. */
  requester?: string;
  signal?: AbortSignal;
}

export async function collectEvidence(relay: RelayClient, nodes: string[], options: CollectOptions): Promise<Evidence> {
  const collectedAt = options.clock.now().toISOString();
  const call: CallOptions = {
    ...(options.requester !== undefined ? { requester: options.requester } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const computers = relay.call('directory.computers', { names: nodes }, call);
  // Forward DNS is judged on each peer's short name and FQDN (dNSHostName), so host.dns waits for
  // the one directory read; every other host read starts at once.
  const lookups = computers.then(
    (dir) => namesToLookUp(nodes, dir),
    () => namesToLookUp(nodes, undefined),
  );
  const [hosts, directory] = await Promise.all([
    Promise.all(nodes.map((node) => readHost(relay, node, lookups, options, call))),
    readDirectory(relay, nodes, computers, options.initiator, call),
  ]);
  // A relay that refuses our signature says nothing about the nodes or AD: the check stops with
  // that one error rather than reporting every node and the directory unreachable.
  const refused = refusal([...hosts.flatMap((h) => [h.migration, h.security, h.events, h.hotfixes, h.dns, h.vms]), directory.computers, directory.spnOwners]);
  if (refused) throw new RelayError('UNAUTHORIZED', refused);
  return {
    nodes: [...nodes],
    collectedAt,
    eventWindowHours: options.eventWindowHours,
    ...(options.eventsSince ? { eventsSince: options.eventsSince.toISOString() } : {}),
    hosts: Object.fromEntries(hosts.map((h) => [h.node, h])),
    directory,
  };
}

/** The names `node` looks up: every peer as given, by its short name and by its FQDN. */
export function lookupNames(nodes: string[], node: string, directory: OpResult<'directory.computers'> | undefined): string[] {
  return namesToLookUp(nodes, directory)(node);
}

/**
 * lookupNames for every node of one check: each peer's names are worked out once, then each node
 * takes every peer's but its own (N lists of N peers; working each peer out per node cost N³).
 */
export function namesToLookUp(nodes: string[], directory: OpResult<'directory.computers'> | undefined): (node: string) => string[] {
  const perPeer = nodes.map((peer) => {
    const computer = directory ? findComputer(directory.computers, peer) : undefined;
    const names = [peer, computer ? accountName(computer.name) : shortName(peer)];
    if (computer?.dnsHostName) names.push(computer.dnsHostName);
    else if (!peer.includes('.') && directory) names.push(`${shortName(peer).toLowerCase()}.${directory.domain.fqdn}`);
    // The same rule as nodeNameSchema (a name the relay would refuse is not asked for).
    const clean = names.map((n) => n.replace(/\.$/, '')).filter((n) => nodeNameProblem(n) === undefined);
    return { short: shortName(peer), names: clean.map((n) => [n.toLowerCase(), n] as const) };
  });
  return (node) => {
    const self = shortName(node);
    const names = new Map<string, string>();
    for (const peer of perPeer) {
      if (peer.short === self) continue;
      for (const [key, name] of peer.names) if (!names.has(key)) names.set(key, name);
    }
    return [...names.values()];
  };
}

/** Relays known not to offer host.evidence (an older triage-relay): asked with single reads. */
const withoutEvidence = new WeakSet<RelayClient>();

/**
 * A node's reads: one host.evidence request (one PowerShell invocation and one JEA session on a
 * Windows relay, instead of six), or the single reads when the relay does not offer it. Each part
 * keeps its own outcome either way.
 */
async function readHost(relay: RelayClient, node: string, lookups: Promise<(node: string) => string[]>, options: CollectOptions, call: CallOptions): Promise<HostEvidence> {
  if (!withoutEvidence.has(relay)) {
    const names = (await lookups)(node);
    try {
      const e = await relay.call('host.evidence', { node, sinceHours: options.eventWindowHours, names }, call);
      const evidence: HostEvidence = { node, migration: e.migration, security: e.security, events: e.events, hotfixes: e.hotfixes, dns: e.dns, vms: e.vms };
      notify(options.onHostDone, node, [e.migration, e.security, e.events, e.hotfixes, e.dns].every((o) => o.ok));
      return evidence;
    } catch (err) {
      if (!(err instanceof RelayError && err.code === 'NOT_FOUND')) return failedHost(node, err, options);
      withoutEvidence.add(relay);
    }
  }
  return readHostOneByOne(relay, node, lookups, options, call);
}

/** The node did not answer at all: every part carries that one error. */
function failedHost(node: string, err: unknown, options: CollectOptions): HostEvidence {
  const error = err instanceof RelayError ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: `unexpected error: ${(err as Error)?.message ?? String(err)}` };
  const failed = { ok: false as const, error };
  notify(options.onHostDone, node, false);
  return { node, migration: failed, security: failed, events: failed, hotfixes: failed, dns: failed, vms: failed };
}

async function readHostOneByOne(relay: RelayClient, node: string, lookups: Promise<(node: string) => string[]>, options: CollectOptions, call: CallOptions): Promise<HostEvidence> {
  const dnsRead = lookups.then((namesOf) => {
    const names = namesOf(node);
    return names.length > 0 ? outcome(() => relay.call('host.dns', { node, names }, call)) : ok({ answers: [] });
  });
  const [migration, security, events, hotfixes, dns, vms] = await Promise.all([
    outcome(() => relay.call('host.migration-settings', { node }, call)),
    outcome(() => relay.call('host.security', { node }, call)),
    outcome(() => relay.call('host.events', { node, sinceHours: options.eventWindowHours }, call)),
    outcome(() => relay.call('host.hotfixes', { node }, call)),
    dnsRead,
    outcome(() => relay.call('host.vms', { node }, call)),
  ]);
  // vms only says which kinds of move a finding breaks: its failure is kept, but it does not make the node unreachable.
  const evidence: HostEvidence = { node, migration, security, events, hotfixes, dns, vms };
  notify(options.onHostDone, node, [migration, security, events, hotfixes, dns].every((o) => o.ok));
  return evidence;
}

async function readDirectory(
  relay: RelayClient,
  nodes: string[],
  read: Promise<OpResult<'directory.computers'>>,
  initiator: string | undefined,
  call: CallOptions,
): Promise<DirectoryEvidence> {
  const user = initiator !== undefined ? outcome(() => relay.call('directory.user', { id: initiator }, call)) : undefined;
  const computers = await outcome(() => read);
  const spnOwners: DirectoryEvidence['spnOwners'] = computers.ok
    ? await outcome(() => relay.call('directory.spn-owners', { spns: migrationSpnsOf(nodes, computers.value) }, call))
    : { ok: false, error: { code: computers.error.code, message: 'not read, because directory.computers failed' } };
  return {
    computers,
    spnOwners,
    ...(initiator !== undefined && user ? { initiator: { id: initiator, outcome: await user } } : {}),
  };
}

/**
 * Short and FQDN (dNSHostName) migration and HOST SPNs of every node, deduplicated: cifs/<node>
 * maps to HOST/<node> (sPNMappings), so a duplicate HOST SPN breaks SMB to the node.
 */
export function migrationSpnsOf(nodes: string[], directory: OpResult<'directory.computers'>): string[] {
  const spns = new Set<string>();
  for (const node of nodes) {
    const computer = findComputer(directory.computers, node);
    for (const cls of [MIGRATION_SERVICE, 'HOST']) {
      spns.add(`${cls}/${computer ? accountName(computer.name) : shortName(node)}`);
      if (computer?.dnsHostName) spns.add(`${cls}/${computer.dnsHostName.replace(/\.$/, '')}`);
    }
  }
  // A malformed name from AD must not sink the whole lookup: it is left out (and so shows as missing).
  return [...spns].filter((spn) => spnSchema.safeParse(spn).success);
}

function refusal(outcomes: Array<Outcome<unknown> | undefined>): string | undefined {
  for (const o of outcomes) if (o && !o.ok && o.error.code === 'UNAUTHORIZED') return o.error.message;
  return undefined;
}

function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

async function outcome<T>(read: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return ok(await read());
  } catch (err) {
    if (err instanceof RelayError) return { ok: false, error: { code: err.code, message: err.message } };
    return { ok: false, error: { code: 'INTERNAL', message: `unexpected error: ${(err as Error)?.message ?? String(err)}` } };
  }
}

function notify(callback: CollectOptions['onHostDone'], node: string, reachable: boolean): void {
  try {
    callback?.(node, reachable);
  } catch {
    // A progress display that fails must not cost the evidence.
  }
}
