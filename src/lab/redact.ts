import { shortName } from '../kernel/node-name.js';
import { DEFAULT_SITE, scenarioSchema, type Scenario } from './schema.js';

// Redacting a captured scenario before it leaves the building: domain, host, computer, cluster,
// user, VM, domain-controller and site names, and the accounts KDC events name, are replaced by
// neutral ones (corp.example, NODE01, USER01, GUEST01, KDC01, SITE01, ACCOUNT01...) with ONE
// mapping applied to every string (SPNs, FQDNs, DNs, storage paths, event messages), so the
// verdict reproduces on the redacted file exactly as on the original: the checks compare names
// with each other, never with a list of real names. Addresses, KB ids, times, UAC bits and
// encryption types are kept: they are what the verdict rests on, and they name nobody; so is AD's
// default site name (Default-First-Site-Name), the same in every forest.

export interface Redaction {
  scenario: Scenario;
  /** Original name (lower-case) → its replacement, for every name replaced. */
  mapping: ReadonlyMap<string, string>;
  /** Replace names in any text with the same mapping (case of the original kept). */
  apply(text: string): string;
}

const AD_DOMAIN = 'corp.example';
const AD_NETBIOS = 'CORP';

// Values that are codes, numbers or clock readings: never names, never rewritten.
const KEEP = new Set(['log', 'codes', 'rootCauses', 'verdict', 'status', 'authenticationType', 'performanceOption', 'state', 'os', 'now', 'time', 'installedOn', 'id', 'addresses']);
// Values that are SPNs: only the part after the service class is a name. A KDC event's service
// is an SPN or an account (HV02$): an account has no service class, and is a name as a whole.
const SPN_LISTS = new Set(['allowedToDelegateTo', 'servicePrincipalNames', 'service']);
// Accounts every domain has (a 4768's service is krbtgt): they name nobody.
const WELL_KNOWN_ACCOUNTS = new Set(['krbtgt']);
// Records whose keys are names: a host's dns table, a domain controller's delegation copies.
const NAME_KEYED = new Set(['dns', 'delegation']);

export function redactScenario(scenario: Scenario): Redaction {
  const names = new Names(scenario.domain.fqdn);
  names.domain(scenario.domain.fqdn, AD_DOMAIN);
  names.add(dn(scenario.domain.fqdn), dn(AD_DOMAIN));
  names.add(scenario.domain.netbios, AD_NETBIOS);
  const nodes = [...(scenario.expect?.nodes ?? []), ...scenario.hosts.map((h) => h.name)];
  for (const n of nodes) names.host(n, 'NODE');
  for (const c of scenario.clusters) names.host(c.name, 'CLUSTER');
  for (const c of scenario.computers) names.host(c.name, 'COMPUTER');
  for (const u of scenario.users) {
    const value = names.next('USER');
    for (const id of [u.name, u.upn, u.mail]) if (id) names.add(id.split('@')[0]!, value);
    for (const id of [u.upn, u.mail, scenario.expect?.initiator]) if (id?.includes('@')) names.domain(id.split('@')[1]!, undefined);
  }
  const initiator = scenario.expect?.initiator?.split('@')[0];
  if (initiator && !names.valueOf(initiator)) names.add(initiator, names.next('USER'));
  for (const h of scenario.hosts) for (const v of h.vms) names.add(v.name, names.next('GUEST'));
  // Names met only inside values: SPN hosts, DNS answers, storage servers, DNs of computers.
  for (const fq of referencedHostNames(scenario)) names.fqdn(fq);
  for (const c of scenario.computers) if (c.distinguishedName) names.add(cnOf(c.distinguishedName), names.valueOf(c.name) ?? names.next('COMPUTER'));
  // Domain controllers, their sites, and the accounts and SPNs their KDC events name (issue 19).
  for (const d of scenario.domainControllers) names.host(d.name, 'KDC');
  for (const site of [...scenario.hosts.map((h) => h.site), ...scenario.domainControllers.map((d) => d.site)]) {
    // AD's own default site name is the same in every forest: it names nobody.
    if (site && site !== DEFAULT_SITE && !names.valueOf(site)) names.add(site, names.next('SITE'));
  }
  for (const principal of kdcPrincipals(scenario)) names.principal(principal);

  const apply = names.replacer();
  const redacted = walk(scenario, undefined, apply) as Scenario;
  // The result must still be a valid scenario; a failure here is a bug in the redaction, not the input.
  return { scenario: scenarioSchema.parse(redacted), mapping: names.mapping, apply };
}

function dn(fqdn: string): string {
  return fqdn.split('.').map((l) => `DC=${l}`).join(',');
}

function cnOf(distinguishedName: string): string {
  return /^CN=([^,]+)/i.exec(distinguishedName)?.[1] ?? '';
}

/** The accounts and SPNs KDC events name (HV01$@LAB.TEST, LAB\\svc$, cifs/hv02.lab.test). */
function kdcPrincipals(s: Scenario): string[] {
  const out: string[] = [];
  for (const d of s.domainControllers) {
    for (const e of d.kdcEvents) {
      out.push(...[e.account, e.service].filter((v): v is string => !!v));
      // TransmittedServices lists the principals delegated through (user@REALM, SPNs): a service
      // class may hold spaces, an account or an SPN's host part never does.
      for (const token of (e.transmittedServices ?? '').split(/[\s,;]+/)) if (/[@/]/.test(token)) out.push(token);
    }
  }
  return out;
}

function referencedHostNames(s: Scenario): string[] {
  const out: string[] = [];
  const spnHost = (spn: string) => spn.slice(spn.indexOf('/') + 1).split(/[:/]/)[0]!;
  for (const c of s.computers) {
    out.push(...c.allowedToDelegateTo.map(spnHost), ...(c.servicePrincipalNames ?? []).map(spnHost), ...c.allowedToActOnBehalfOf);
    if (c.dnsHostName) out.push(c.dnsHostName);
  }
  for (const h of s.hosts) {
    for (const [name, value] of Object.entries(h.dns ?? {})) {
      out.push(name);
      if (typeof value === 'string') out.push(value);
      else if (value?.ptr) out.push(value.ptr);
    }
    for (const v of h.vms) for (const p of v.storagePaths ?? []) {
      const server = /^\\\\([^\\]+)\\/.exec(p)?.[1];
      if (server) out.push(server);
    }
  }
  return out.filter((n) => n.length > 0);
}

class Names {
  readonly mapping = new Map<string, string>();
  private readonly counters = new Map<string, number>();

  constructor(private readonly adDomain: string) {}

  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}${String(n).padStart(2, '0')}`;
  }

  valueOf(name: string): string | undefined {
    return this.mapping.get(name.toLowerCase());
  }

  /** First assignment wins: one original name, one replacement, everywhere. */
  add(original: string, value: string): void {
    const key = original.toLowerCase().replace(/\.$/, '');
    if (key && !this.mapping.has(key)) this.mapping.set(key, value);
  }

  host(name: string, prefix: string): void {
    const short = shortName(name);
    if (!this.mapping.has(short.toLowerCase())) this.add(short, this.next(prefix));
    if (name.includes('.')) this.fqdn(name);
  }

  domain(fqdn: string, value: string | undefined): void {
    const key = fqdn.toLowerCase().replace(/\.$/, '');
    if (this.mapping.has(key)) return;
    this.add(key, value ?? `${this.next('domain').toLowerCase()}.example`);
  }

  /** An account or SPN from a KDC event: its realm or NetBIOS domain, then the account (or the SPN's host). */
  principal(value: string): void {
    const at = value.lastIndexOf('@');
    if (at > 0 && !value.slice(at + 1).includes('/')) this.domain(value.slice(at + 1), undefined);
    const noRealm = at > 0 ? value.slice(0, at) : value;
    const slash = noRealm.indexOf('/');
    if (slash >= 0) {
      const host = noRealm.slice(slash + 1).split(/[:/]/)[0]!;
      // krbtgt/LAB.TEST names the realm, already mapped: not a host in a domain called TEST.
      if (host && !this.valueOf(host)) this.fqdn(host);
      return;
    }
    const backslash = noRealm.indexOf('\\');
    if (backslash > 0 && !this.valueOf(noRealm.slice(0, backslash))) this.add(noRealm.slice(0, backslash), this.next('DOMAIN'));
    const account = noRealm.slice(backslash + 1).replace(/\$$/, '');
    if (account && !WELL_KNOWN_ACCOUNTS.has(account.toLowerCase()) && !this.valueOf(account)) this.add(account, this.next('ACCOUNT'));
  }

  /** A host name met in a value: its first label is a host, the rest its domain. */
  fqdn(name: string): void {
    const clean = name.replace(/\.$/, '');
    const dot = clean.indexOf('.');
    const label = dot < 0 ? clean : clean.slice(0, dot);
    if (!this.mapping.has(label.toLowerCase())) this.add(label, this.next('HOST'));
    if (dot < 0) return;
    const rest = clean.slice(dot + 1);
    if (rest.toLowerCase() === this.adDomain.toLowerCase() || rest.toLowerCase().endsWith(`.${this.adDomain.toLowerCase()}`)) {
      // A child zone of the AD domain: its own labels are names too.
      for (const child of rest.slice(0, Math.max(0, rest.length - this.adDomain.length - 1)).split('.').filter(Boolean)) {
        if (!this.mapping.has(child.toLowerCase())) this.add(child, this.next('zone').toLowerCase());
      }
    } else this.domain(rest, undefined);
  }

  /** One pass over the text, longest names first, whole names only (not inside a longer name). */
  replacer(): (text: string) => string {
    const keys = [...this.mapping.keys()].sort((a, b) => b.length - a.length);
    if (keys.length === 0) return (t) => t;
    const re = new RegExp(`(?<![A-Za-z0-9_-])(?:${keys.map(escape).join('|')})(?![A-Za-z0-9_-])`, 'gi');
    return (text) => text.replace(re, (m) => caseLike(m, this.mapping.get(m.toLowerCase()) ?? m));
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The replacement in the case the original was written in (hv01.lab.test stays lower-case). */
function caseLike(original: string, value: string): string {
  if (original === original.toLowerCase() && original !== original.toUpperCase()) return value.toLowerCase();
  if (original === original.toUpperCase() && original !== original.toLowerCase()) return value.toUpperCase();
  return value;
}

function walk(value: unknown, key: string | undefined, apply: (t: string) => string): unknown {
  if (typeof value === 'string') {
    if (key !== undefined && KEEP.has(key)) return value;
    if (key !== undefined && SPN_LISTS.has(key)) {
      const slash = value.indexOf('/');
      return `${value.slice(0, slash + 1)}${apply(value.slice(slash + 1))}`;
    }
    return apply(value);
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, key, apply));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // dns tables are keyed by the names looked up, a DC's delegation copies by computer: the keys are names too.
      const keyedByName = key !== undefined && NAME_KEYED.has(key);
      out[keyedByName ? apply(k) : k] = walk(v, NAME_KEYED.has(k) || !keyedByName ? k : undefined, apply);
    }
    return out;
  }
  return value;
}
