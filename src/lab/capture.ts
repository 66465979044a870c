import { nodeNameProblem, sameHost, shortName } from '../kernel/node-name.js';
import { accountName } from '../diagnostics/facts.js';
import type { Evidence, HostEvidence, Outcome } from '../diagnostics/evidence.js';
import type { Diagnosis } from '../diagnostics/findings.js';
import { existingSpnSchema, vmNameSchema, type Computer, type DnsAnswer, type OpResult } from '../relay/protocol.js';
import { dcsOf } from './capture-dcs.js';
import { scenarioSchema, siteNameSchema, type Scenario, type ScenarioInput } from './schema.js';

// Capturing an incident: the evidence one check collected, written back as a lab scenario, so
// `triage check … --lab incident.yaml` answers every read the check makes exactly as the relay
// did, and the verdict reproduces offline (docs/cli.md "triage capture"). The lab only models
// what a scenario can say: a read that failed for a reason the lab cannot reproduce (one
// part of a host's reads denied, say) is listed in `notes` and the capture's description, so
// nobody mistakes the capture for the whole story.

export interface CaptureOptions {
  /** Cluster name to record (the nodes become its members). */
  cluster?: string;
  /** Scenario name; default "Captured <nodes> at <time>". */
  name?: string;
}

export interface Capture {
  scenario: Scenario;
  /** What the lab could not reproduce, one sentence each (also in the scenario's description). */
  notes: string[];
}

// Evidence keys this module turns into scenario fields. Evidence gains keys as the bot reads more
// (domain controllers, issue 19): a key not listed here is reported in `notes` instead of being
// silently dropped, so a capture never claims to hold evidence it left out.
const CAPTURED_EVIDENCE_KEYS = new Set(['nodes', 'collectedAt', 'eventWindowHours', 'hosts', 'directory', 'dcs']);
const CAPTURED_HOST_KEYS = new Set(['node', 'migration', 'security', 'events', 'hotfixes', 'dns', 'vms']);
const CAPTURED_DIRECTORY_KEYS = new Set(['computers', 'spnOwners', 'initiator']);

const FALLBACK_DOMAIN = 'unknown.invalid';

export function captureScenario(evidence: Evidence, diagnosis: Diagnosis, options: CaptureOptions = {}): Capture {
  const notes: string[] = [];
  reportUncapturedKeys(evidence, notes);
  const directory = evidence.directory.computers.ok ? evidence.directory.computers.value : undefined;
  const fqdn = domainOf(evidence, directory);
  const netbios = netbiosOf(directory, fqdn);

  const nodeComputers = new Map<string, Computer>();
  for (const node of evidence.nodes) {
    const c = directory?.computers.find((x) => sameHost(accountName(x.name), node) || (x.dnsHostName ?? '').toLowerCase() === node.toLowerCase());
    if (c) nodeComputers.set(node, c);
  }
  const hostName = (node: string) => {
    const c = nodeComputers.get(node);
    return c ? accountName(c.name) : shortName(node);
  };

  const computers = [...nodeComputers.values()].map((c) => computerOf(c, notes));
  computers.push(...spnHolders(evidence, computers.map((c) => c.name), notes));

  const hosts: ScenarioInput['hosts'] = [];
  for (const node of evidence.nodes) {
    const h = evidence.hosts[node];
    const host = h ? hostOf(h, hostName(node), notes) : undefined;
    if (host) hosts.push(host);
  }
  if (hosts.length === 0) throw new CaptureError('no node answered as a host and none has a computer object: there is nothing to capture');

  const users: ScenarioInput['users'] = [];
  const initiator = evidence.directory.initiator;
  if (initiator?.outcome.ok && initiator.outcome.value.user) users.push(userOf(initiator.outcome.value.user, fqdn, notes));
  else if (initiator && !initiator.outcome.ok) notes.push(`the initiator ${initiator.id} could not be read (${initiator.outcome.error.code}); the lab answers "no such user"`);

  const hostNames = hosts.map((h) => h.name);
  const input: ScenarioInput = {
    name: (options.name ?? `Captured ${nodeList(evidence.nodes)} at ${evidence.collectedAt}`).slice(0, 200),
    domain: { fqdn, netbios, now: evidence.collectedAt },
    clusters: options.cluster ? [{ name: shortName(options.cluster), nodes: hostNames }] : [],
    computers,
    users,
    hosts,
    directory: { reachable: evidence.directory.computers.ok || !isUnreachable(evidence.directory.computers) },
    ...(evidence.dcs ? { domainControllers: dcsOf(evidence.dcs, directory, notes) } : {}),
    expect: expectOf(diagnosis, evidence, hostName),
  };
  if (!evidence.directory.computers.ok && !isUnreachable(evidence.directory.computers)) {
    notes.push(`the directory read failed with ${evidence.directory.computers.error.code}; the lab reproduces it as an unreachable directory`);
    input.directory = { reachable: false };
  }
  input.description = describe(evidence, notes);
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CaptureError(`the evidence does not fit a lab scenario at ${issue.path.join('.')}: ${issue.message}`);
  }
  return { scenario: parsed.data, notes };
}

export class CaptureError extends Error {
  override name = 'CaptureError';
}

function reportUncapturedKeys(evidence: Evidence, notes: string[]): void {
  const extra = (obj: object, known: Set<string>, where: string) => {
    for (const key of Object.keys(obj)) if (!known.has(key)) notes.push(`${where}${key} evidence is not captured yet (the lab scenario format has no place for it)`);
  };
  extra(evidence, CAPTURED_EVIDENCE_KEYS, '');
  extra(evidence.directory, CAPTURED_DIRECTORY_KEYS, 'directory ');
  const firstHost = Object.values(evidence.hosts)[0];
  if (firstHost) extra(firstHost, CAPTURED_HOST_KEYS, 'host ');
}

function isUnreachable(o: Outcome<unknown>): boolean {
  return !o.ok && /UNREACHABLE|TIMEOUT/.test(o.error.code);
}

function domainOf(evidence: Evidence, directory: OpResult<'directory.computers'> | undefined): string {
  const fromDirectory = directory?.domain.fqdn.replace(/\.$/, '');
  if (fromDirectory && !nodeNameProblem(fromDirectory)) return fromDirectory.toLowerCase();
  // Without the directory, the domain is what the hosts' lookups of their peers landed on.
  for (const h of Object.values(evidence.hosts)) {
    const answers = h.dns.ok ? h.dns.value.answers : [];
    const fq = answers.map((a) => a.resolvedTo).find((r): r is string => !!r && r.includes('.'));
    if (fq) return fq.slice(fq.indexOf('.') + 1).replace(/\.$/, '').toLowerCase();
  }
  return FALLBACK_DOMAIN;
}

function netbiosOf(directory: OpResult<'directory.computers'> | undefined, fqdn: string): string {
  const given = directory?.domain.netbios;
  if (given && /^[A-Za-z0-9-]{1,15}$/.test(given)) return given;
  return (fqdn.split('.')[0] ?? 'DOMAIN').replace(/[^A-Za-z0-9-]/g, '').slice(0, 15).toUpperCase() || 'DOMAIN';
}

function computerOf(c: Computer, notes: string[]): NonNullable<ScenarioInput['computers']>[number] {
  const name = accountName(c.name);
  const delegations = c.allowedToDelegateTo.filter((spn) => keep(existingSpnSchema.safeParse(spn).success, notes, `${name}'s delegation entry "${spn}" is not a valid SPN`));
  const spns = c.servicePrincipalNames.filter((spn) => keep(/^[^\s/][^/]*\/\S+$/.test(spn), notes, `${name}'s SPN "${spn}" is malformed`));
  const rbcd = c.allowedToActOnBehalfOf.filter((n) => keep(!nodeNameProblem(n) && !n.includes('.'), notes, `${name}'s RBCD entry "${n}" is not a computer name the lab can hold`));
  return {
    name,
    dnsHostName: c.dnsHostName,
    distinguishedName: c.distinguishedName,
    userAccountControl: c.userAccountControl,
    allowedToDelegateTo: delegations,
    servicePrincipalNames: spns,
    ...(c.supportedEncryptionTypes !== null ? { supportedEncryptionTypes: c.supportedEncryptionTypes } : {}),
    allowedToActOnBehalfOf: rbcd,
  };
}

/**
 * Other accounts holding the nodes' SPNs (a stale object, a service account): the check read
 * only which SPNs they hold, so that is all the capture says about them.
 */
function spnHolders(evidence: Evidence, known: string[], notes: string[]): NonNullable<ScenarioInput['computers']> {
  const owners = evidence.directory.spnOwners;
  if (!owners.ok) return [];
  const held = new Map<string, string[]>();
  const knownSet = new Set(known.map((n) => n.toUpperCase()));
  for (const { spn, accounts } of owners.value.owners) {
    for (const account of new Set(accounts.map(accountName))) {
      if (knownSet.has(account)) continue;
      if (nodeNameProblem(account) || account.includes('.') || account.length > 15) {
        notes.push(`${account} holds ${spn}, but is not a name a lab computer can have`);
        continue;
      }
      held.set(account, [...(held.get(account) ?? []), spn]);
    }
  }
  return [...held].map(([name, spns]) => ({ name, dnsHostName: null, servicePrincipalNames: spns }));
}

function hostOf(h: HostEvidence, name: string, notes: string[]): ScenarioInput['hosts'][number] | undefined {
  const failures = [h.migration, h.security, h.events, h.hotfixes, h.dns].filter((o): o is Extract<typeof o, { ok: false }> => !o.ok);
  // No such host on the relay: the lab says so by not listing it.
  if (failures.length === 5 && failures.every((f) => f.error.code === 'UNKNOWN_HOST')) return undefined;
  if (failures.length === 5 && failures.every((f) => f.error.code === failures[0]!.error.code)) {
    if (failures[0]!.error.code !== 'HOST_UNREACHABLE') notes.push(`${name} failed every read with ${failures[0]!.error.code}; the lab reproduces it as unreachable`);
    return { name, reachable: false };
  }
  for (const [part, o] of Object.entries({ migration: h.migration, security: h.security, events: h.events, hotfixes: h.hotfixes, dns: h.dns })) {
    if (!o.ok) notes.push(`${name}'s ${part} read failed (${o.error.code}: ${o.error.message}); the lab answers it as healthy`);
  }
  const security = h.security.ok ? h.security.value : undefined;
  const migration = h.migration.ok ? h.migration.value : undefined;
  if (security && security.credentialGuardConfigured !== security.credentialGuardRunning) {
    notes.push(`${name}: Credential Guard configured=${security.credentialGuardConfigured} but running=${security.credentialGuardRunning}; the lab keeps "running"`);
  }
  const vms = h.vms?.ok ? h.vms.value.vms : [];
  return {
    name,
    ...(security ? { os: security.os || 'Windows Server', clockOffsetSeconds: security.clockOffsetSeconds, credentialGuard: security.credentialGuardRunning } : {}),
    ...(security?.addresses && security.addresses.length > 0 ? { addresses: security.addresses } : {}),
    ...(typeof security?.site === 'string' && keep(siteNameSchema.safeParse(security.site).success, notes, `${name}'s site "${security.site}" is not an AD site name the lab can hold`) ? { site: security.site } : {}),
    ...(migration
      ? {
          migration: {
            enabled: migration.enabled,
            authenticationType: migration.authenticationType,
            maxMigrations: migration.maxMigrations,
            ...(migration.performanceOption !== undefined ? { performanceOption: migration.performanceOption } : {}),
          },
        }
      : {}),
    ...(h.dns.ok ? { dns: dnsTable(h.dns.value.answers) } : {}),
    hotfixes: (h.hotfixes.ok ? h.hotfixes.value.hotfixes : [])
      .filter((x) => keep(/^KB\d{6,8}$/.test(x.id), notes, `${name}'s hotfix "${x.id}" is not a KB id the lab can hold`))
      .map((x) => ({ id: x.id, installedOn: x.installedOn })),
    events: (h.events.ok ? h.events.value.events : []).map((e) => ({ log: e.log || 'Application', id: e.id, time: e.time, message: e.message })),
    vms: vms
      .filter((v) => keep(vmNameSchema.safeParse(v.name).success, notes, `${name} runs a VM whose name the lab cannot hold`))
      .map((v) => ({
        name: v.name,
        state: (v.state || 'Unknown').slice(0, 40),
        ...(v.isClustered !== undefined ? { clustered: v.isClustered } : {}),
        ...(v.storagePaths !== undefined ? { storagePaths: v.storagePaths } : {}),
      })),
  };
}

/** Every answer as the host gave it: addresses and PTR when reported, else the name it landed on. */
function dnsTable(answers: DnsAnswer[]): NonNullable<ScenarioInput['hosts'][number]['dns']> {
  const table: NonNullable<ScenarioInput['hosts'][number]['dns']> = {};
  for (const a of answers) {
    if (nodeNameProblem(a.name)) continue;
    if (a.resolvedTo === null && (a.addresses ?? []).length === 0) table[a.name] = null;
    else if (a.addresses && a.addresses.length > 0) table[a.name] = { addresses: a.addresses, ptr: a.resolvedTo };
    else table[a.name] = a.resolvedTo;
  }
  return table;
}

function userOf(u: NonNullable<OpResult<'directory.user'>['user']>, fqdn: string, notes: string[]): NonNullable<ScenarioInput['users']>[number] {
  const groups = [...u.groups];
  // The lab tells Protected Users by the group's name: keep the fact even if the DN was not listed.
  if (u.protectedUsers && !groups.some((g) => /^CN=Protected Users,/i.test(g))) {
    groups.push(`CN=Protected Users,CN=Users,${fqdn.split('.').map((l) => `DC=${l}`).join(',')}`);
  }
  const name = /^[A-Za-z0-9._-]{1,20}$/.test(u.name) ? u.name : 'initiator';
  if (name !== u.name) notes.push(`the initiator's account name is recorded as "initiator"`);
  return {
    name,
    ...(u.upn ? { upn: u.upn } : {}),
    ...(u.mail ? { mail: u.mail } : {}),
    userAccountControl: u.sensitive && (u.userAccountControl & 0x100000) === 0 ? u.userAccountControl + 0x100000 : u.userAccountControl,
    memberOf: groups,
  };
}

function expectOf(d: Diagnosis, evidence: Evidence, hostName: (node: string) => string): NonNullable<ScenarioInput['expect']> {
  const initiator = evidence.directory.initiator?.id;
  return {
    nodes: evidence.nodes.map(hostName),
    ...(initiator ? { initiator } : {}),
    verdict: d.verdict.status,
    rootCauses: [...d.verdict.rootCauses],
    codes: [...new Set(d.findings.map((f) => f.code))],
    fixable: d.verdict.fixable,
    directions: d.directions.map((x) => ({ from: hostName(x.from), to: hostName(x.to), status: x.status })),
  };
}

function describe(evidence: Evidence, notes: string[]): string {
  const head = `Captured by \`triage capture\` from the evidence of a check of ${evidence.nodes.join(', ')} at ${evidence.collectedAt} (events of the ${evidence.eventWindowHours} hours before).`;
  return (notes.length ? `${head} Not reproduced: ${notes.join('; ')}.` : head).slice(0, 4000);
}

/** The nodes for a title: all of them when short, else the first and last with the count. */
function nodeList(nodes: string[]): string {
  const all = nodes.join(' ');
  return all.length <= 120 ? all : `${nodes.length} nodes ${nodes[0]} … ${nodes[nodes.length - 1]}`;
}

function keep(ok: boolean, notes: string[], why: string): boolean {
  if (!ok) notes.push(why);
  return ok;
}
