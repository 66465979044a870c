import type { Clock } from '../core/clock.js';
import { shortName } from '../core/node-name.js';
import { RelayError, spnSchema, MIGRATION_SERVICE, type OpResult } from '../relay/protocol.js';
import type { CallOptions, RelayClient } from '../relay/relay-client.js';
import type { DirectoryEvidence, Evidence, HostEvidence, Outcome } from './evidence.js';
import { accountName, findComputer } from './facts.js';

// Evidence collection: every host read of every node at once, and, alongside them, a directory
// chain whose cost does not grow with N: one `directory.computers` for all nodes, then one
// `directory.spn-owners` for all their migration SPNs (plus `directory.user` for a named
// initiator, in parallel). Every read is kept as an Outcome, so a failure is never mistaken for
// an empty answer.

export interface CollectOptions {
  clock: Clock;
  /** How far back host event logs are read. */
  eventWindowHours: number;
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
  const [hosts, directory] = await Promise.all([
    Promise.all(nodes.map((node) => readHost(relay, node, nodes, options, call))),
    readDirectory(relay, nodes, options.initiator, call),
  ]);
  return {
    nodes: [...nodes],
    collectedAt,
    eventWindowHours: options.eventWindowHours,
    hosts: Object.fromEntries(hosts.map((h) => [h.node, h])),
    directory,
  };
}

async function readHost(relay: RelayClient, node: string, nodes: string[], options: CollectOptions, call: CallOptions): Promise<HostEvidence> {
  const names = nodes.filter((n) => n !== node);
  const [migration, security, events, hotfixes, dns, vms] = await Promise.all([
    outcome(() => relay.call('host.migration-settings', { node }, call)),
    outcome(() => relay.call('host.security', { node }, call)),
    outcome(() => relay.call('host.events', { node, sinceHours: options.eventWindowHours }, call)),
    outcome(() => relay.call('host.hotfixes', { node }, call)),
    names.length > 0 ? outcome(() => relay.call('host.dns', { node, names }, call)) : Promise.resolve(ok({ answers: [] })),
    outcome(() => relay.call('host.vms', { node }, call)),
  ]);
  // vms only says which kinds of move a finding breaks: its failure is kept, but it does not make the node unreachable.
  const evidence: HostEvidence = { node, migration, security, events, hotfixes, dns, vms };
  notify(options.onHostDone, node, [migration, security, events, hotfixes, dns].every((o) => o.ok));
  return evidence;
}

async function readDirectory(relay: RelayClient, nodes: string[], initiator: string | undefined, call: CallOptions): Promise<DirectoryEvidence> {
  const user = initiator !== undefined ? outcome(() => relay.call('directory.user', { id: initiator }, call)) : undefined;
  const computers = await outcome(() => relay.call('directory.computers', { names: nodes }, call));
  const spnOwners: DirectoryEvidence['spnOwners'] = computers.ok
    ? await outcome(() => relay.call('directory.spn-owners', { spns: migrationSpnsOf(nodes, computers.value) }, call))
    : { ok: false, error: { code: computers.error.code, message: 'not read, because directory.computers failed' } };
  return {
    computers,
    spnOwners,
    ...(initiator !== undefined && user ? { initiator: { id: initiator, outcome: await user } } : {}),
  };
}

/** Short and FQDN (dNSHostName) migration SPNs of every node, deduplicated. */
export function migrationSpnsOf(nodes: string[], directory: OpResult<'directory.computers'>): string[] {
  const spns = new Set<string>();
  for (const node of nodes) {
    const computer = findComputer(directory.computers, node);
    spns.add(`${MIGRATION_SERVICE}/${computer ? accountName(computer.name) : shortName(node)}`);
    if (computer?.dnsHostName) spns.add(`${MIGRATION_SERVICE}/${computer.dnsHostName.replace(/\.$/, '')}`);
  }
  // A malformed name from AD must not sink the whole lookup: it is left out (and so shows as missing).
  return [...spns].filter((spn) => spnSchema.safeParse(spn).success);
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
