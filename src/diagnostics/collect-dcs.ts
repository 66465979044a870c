import { shortName } from '../kernel/node-name.js';
import { kdcPrincipalSchema, MIGRATION_SERVICE, RelayError, type DomainController, type OpResult } from '../relay/protocol.js';
import type { CallOptions, RelayClient } from '../relay/relay-client.js';
import type { DcEvidence, DcReads, Outcome } from './evidence.js';
import { accountName, findComputer } from './facts.js';

// Evidence from the domain controllers (issue 19), collected alongside the node reads: one
// dc.list, then one dc.evidence request per DC read (KDC events and updates in one JEA session)
// and one directory.replication for all of them, in parallel. The DCs read are bounded
// (DC_EVIDENCE_MAX): the DCs in the nodes' sites first. When there are no more DCs than the
// bound, every DC is read at once; only past the bound does the choice wait for the nodes' own
// reads, which say which site each node is in.

/** Default of DC_EVIDENCE_MAX. */
export const DEFAULT_DC_EVIDENCE_MAX = 4;
/** The KDC event window never reaches further back than the protocol allows. */
const MAX_DC_WINDOW_HOURS = 24 * 7;
const MAX_NAMES = 512;

export interface DcCollectOptions {
  maxDcs: number;
  eventWindowHours: number;
  call: CallOptions;
}

/** The account and the SPNs a node is known by at the KDC: what its S4U2proxy asks for, and what asks for it. */
export function kdcNamesOf(nodes: string[], directory: OpResult<'directory.computers'> | undefined): string[] {
  const names = new Set<string>();
  for (const node of nodes) {
    const computer = directory ? findComputer(directory.computers, node) : undefined;
    const short = computer ? accountName(computer.name) : shortName(node);
    const fqdn = computer?.dnsHostName?.replace(/\.$/, '') ?? (node.includes('.') ? node : undefined);
    names.add(`${short}$`);
    for (const cls of [MIGRATION_SERVICE, 'cifs']) {
      names.add(`${cls}/${short}`);
      if (fqdn) names.add(`${cls}/${fqdn}`);
    }
  }
  return [...names].filter((n) => kdcPrincipalSchema.safeParse(n).success).slice(0, MAX_NAMES);
}

/** Which DCs to read: those in the nodes' sites (all when no site is known), then the rest, at most `max`. */
export function chooseDcs(dcs: DomainController[], nodeSites: Array<string | null | undefined>, max: number): { read: DomainController[]; skipped: DomainController[] } {
  const sites = new Set(nodeSites.filter((s): s is string => typeof s === 'string').map((s) => s.toLowerCase()));
  const inSite = (dc: DomainController) => dc.site !== null && sites.has(dc.site.toLowerCase());
  const ordered = sites.size === 0 ? [...dcs] : [...dcs.filter(inSite), ...dcs.filter((d) => !inSite(d))];
  return { read: ordered.slice(0, max), skipped: ordered.slice(max) };
}

export async function collectDcEvidence(
  relay: RelayClient,
  nodes: string[],
  computers: Promise<OpResult<'directory.computers'>>,
  nodeSites: () => Promise<Array<string | null | undefined>>,
  options: DcCollectOptions,
): Promise<DcEvidence | undefined> {
  const windowHours = Math.min(options.eventWindowHours, MAX_DC_WINDOW_HOURS);
  let list: Outcome<OpResult<'dc.list'>>;
  try {
    list = { ok: true, value: await relay.call('dc.list', {}, options.call) };
  } catch (err) {
    // A relay from before issue 19 has no DC reads: no DC evidence, and nothing is judged from it.
    if (err instanceof RelayError && err.code === 'NOT_FOUND') return undefined;
    return { list: failure(err), read: [], skipped: [], windowHours, perDc: {} };
  }
  const dcs = list.value.dcs;
  const sites = dcs.length > options.maxDcs ? await nodeSites() : [];
  const { read, skipped } = chooseDcs(dcs, sites, options.maxDcs);
  const base: DcEvidence = { list, read: read.map((d) => d.name), skipped: skipped.map((d) => d.name), windowHours, perDc: {} };
  if (read.length === 0) return base;
  const directory = await computers.catch(() => undefined);
  const names = kdcNamesOf(nodes, directory);
  const [perDc, replication] = await Promise.all([
    Promise.all(read.map((dc) => readDc(relay, dc, names, windowHours, options.call))),
    outcome(() => relay.call('directory.replication', { computers: nodes.slice(0, 64), dcs: read.map((d) => d.name) }, options.call)),
  ]);
  return { ...base, perDc: Object.fromEntries(perDc.map((r) => [r.dc, r])), replication };
}

async function readDc(relay: RelayClient, dc: DomainController, names: string[], hours: number, call: CallOptions): Promise<DcReads> {
  try {
    const e = await relay.call('dc.evidence', { dc: dc.name, sinceHours: hours, names }, call);
    return { dc: dc.name, site: dc.site, kdcEvents: e.kdcEvents, hotfixes: e.hotfixes };
  } catch (err) {
    const failed = failure(err);
    return { dc: dc.name, site: dc.site, kdcEvents: failed, hotfixes: failed };
  }
}

function failure(err: unknown): { ok: false; error: { code: string; message: string } } {
  if (err instanceof RelayError) return { ok: false, error: { code: err.code, message: err.message } };
  return { ok: false, error: { code: 'INTERNAL', message: `unexpected error: ${(err as Error)?.message ?? String(err)}` } };
}

async function outcome<T>(read: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (err) {
    return failure(err);
  }
}
