import type { Entry } from 'ldapts';
import { shortName } from '../../../../kernel/node-name.js';
import { RelayError, UAC_BITS, type DcDelegation, type DomainController, type OpParams, type OpResult } from '../../../protocol.js';
import { first, int, type DirectorySession } from './connection.js';
import { domainControllersFilter, serversFilter } from './filters.js';
import { findComputers, resolveSids, toComputer } from './read-computers.js';

// Issue 19: the domain's DCs (dc.list) and each DC's own copy of the delegation attributes
// (directory.replication). A write lands on one DC; the nodes ask the DCs of their site, so the
// bot must see which DCs already carry it. Only DCs the directory itself lists are ever
// contacted: a DC name in a request is matched against dc.list, never dialled as given.

const DC_ATTRIBUTES = ['sAMAccountName', 'dNSHostName', 'userAccountControl', 'distinguishedName'];

/** `CN=DC1,CN=Servers,CN=Branch,CN=Sites,CN=Configuration,…` → `Branch`. */
export function siteOfServerDn(dn: string): string | null {
  const rdns = dn.split(/,(?=(?:CN|OU|DC)=)/i);
  if (rdns.length < 4 || !/^CN=Servers$/i.test(rdns[1] ?? '') || !/^CN=Sites$/i.test(rdns[3] ?? '')) return null;
  return (rdns[2] ?? '').replace(/^CN=/i, '') || null;
}

export async function listDomainControllers(session: DirectorySession, domainRoot: string, configNc: string | null): Promise<DomainController[]> {
  const [computers, servers] = await Promise.all([
    session.search('list the domain controllers', domainRoot, domainControllersFilter(), DC_ATTRIBUTES),
    configNc ? session.search('read the sites of the domain controllers', `CN=Sites,${configNc}`, serversFilter(), ['serverReference', 'dNSHostName']) : Promise.resolve([] as Entry[]),
  ]);
  const siteByRef = new Map<string, string>();
  const siteByHost = new Map<string, string>();
  for (const s of servers) {
    const site = siteOfServerDn(s.dn);
    if (!site) continue;
    const ref = first(s, 'serverReference');
    const host = first(s, 'dNSHostName');
    if (ref) siteByRef.set(ref.toLowerCase(), site);
    if (host) siteByHost.set(host.toLowerCase(), site);
  }
  return computers
    .map((e) => {
      const uac = int(e, 'userAccountControl') ?? 0;
      const dnsHostName = first(e, 'dNSHostName');
      return {
        name: (first(e, 'sAMAccountName') ?? '').replace(/\$$/, ''),
        dnsHostName,
        site: siteByRef.get(e.dn.toLowerCase()) ?? (dnsHostName ? siteByHost.get(dnsHostName.toLowerCase()) : undefined) ?? null,
        readOnly: (uac & UAC_BITS.SERVER_TRUST_ACCOUNT) === 0 && (uac & UAC_BITS.PARTIAL_SECRETS_ACCOUNT) !== 0,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The listed DC a requested name designates (short name or dNSHostName), or undefined. */
export function matchDc(dcs: DomainController[], requested: string): DomainController | undefined {
  const lower = requested.toLowerCase();
  return dcs.find((d) => d.dnsHostName?.toLowerCase() === lower) ?? (requested.includes('.') ? undefined : dcs.find((d) => shortName(d.name) === shortName(requested)));
}

/** One DC's copy of the computers' delegation values, read over a session bound to that DC. */
export async function delegationOn(session: DirectorySession, base: string, domainRoot: string, domainFqdn: string, computers: string[]): Promise<DcDelegation[]> {
  const found = await findComputers(session, base, domainFqdn, computers);
  const names = await resolveSids(session, domainRoot, found.records.flatMap((r) => r.rbcdSids));
  return computers.map((requested) => {
    const record = found.byName.get(requested);
    if (!record) return { computer: requested, found: false, allowedToDelegateTo: [], userAccountControl: null, allowedToActOnBehalfOf: [] };
    const c = toComputer(record, names);
    return { computer: c.name, found: true, allowedToDelegateTo: c.allowedToDelegateTo, userAccountControl: c.userAccountControl, allowedToActOnBehalfOf: c.allowedToActOnBehalfOf };
  });
}

export type ReplicationEntry = OpResult<'directory.replication'>['dcs'][number];

/** Runs `read` for each requested DC (in parallel); a DC that fails is an entry with its error, never a missing one. */
export async function perDc(
  dcs: DomainController[],
  params: OpParams<'directory.replication'>,
  read: (dc: DomainController) => Promise<DcDelegation[]>,
): Promise<ReplicationEntry[]> {
  return Promise.all(
    params.dcs.map(async (requested): Promise<ReplicationEntry> => {
      const dc = matchDc(dcs, requested);
      if (!dc) return { dc: requested, ok: false, error: { code: 'UNKNOWN_HOST', message: `${requested} is not a domain controller the directory lists` } };
      try {
        return { dc: dc.name, ok: true, computers: await read(dc) };
      } catch (err) {
        const e = err instanceof RelayError ? err : new RelayError('BACKEND_ERROR', `${dc.name}: the per-DC read failed`);
        return { dc: dc.name, ok: false, error: { code: e.code, message: e.message } };
      }
    }),
  );
}
