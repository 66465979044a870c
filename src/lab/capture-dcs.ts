import { nodeNameProblem, shortName } from '../kernel/node-name.js';
import { accountName } from '../diagnostics/facts.js';
import type { DcEvidence, DcReads } from '../diagnostics/evidence.js';
import { existingSpnSchema, KDC_FAILURE_STATUSES, type DcDelegation, type KdcEvent, type OpResult } from '../relay/protocol.js';
import { siteNameSchema, type ScenarioInput } from './schema.js';

// The domain-controller half of a capture (issue 19 evidence → the scenario's domainControllers):
// every DC dc.list named, in its order and site (so the re-run reads the same DCs under the same
// bound), with the KDC events and updates each read DC returned, whether it answered, and the
// delegation values its copy held where they differed from the directory's (REPLICATION_PENDING).
// The lab answers dc.kdc-events with the same window and name filter the check used, so the
// events written are exactly those the check saw. What the lab cannot say is left in `notes`.

type DcInput = NonNullable<ScenarioInput['domainControllers']>[number];
type KdcEventInput = NonNullable<DcInput['kdcEvents']>[number];
type Directory = OpResult<'directory.computers'> | undefined;
type ReplicationEntry = OpResult<'directory.replication'>['dcs'][number];

const STATUSES: ReadonlySet<string> = new Set(KDC_FAILURE_STATUSES);

export function dcsOf(dcs: DcEvidence, directory: Directory, notes: string[]): DcInput[] {
  if (!dcs.list.ok) {
    // With the directory down the lab fails dc.list too; otherwise it has no way to fail only the list.
    if (directory) notes.push(`the domain controllers could not be listed (${dcs.list.error.code}); the lab lists none`);
    return [];
  }
  if (dcs.skipped.length > 0) notes.push(`${dcs.skipped.join(', ')} ${dcs.skipped.length === 1 ? 'was' : 'were'} not read (DC_EVIDENCE_MAX); the lab answers with no KDC events or updates there`);
  const rep = dcs.replication;
  if (rep && !rep.ok) notes.push(`the DCs' copies of the delegation could not be read (${rep.error.code}); the lab answers them as replicated`);
  const out: DcInput[] = [];
  for (const listed of dcs.list.value.dcs) {
    const name = dcName(listed.name);
    if (!name) {
      notes.push(`the domain controller "${listed.name}" has no name a lab DC can have`);
      continue;
    }
    const reads = Object.values(dcs.perDc).find((r) => dcName(r.dc) === name);
    const copy = rep?.ok ? rep.value.dcs.find((e) => dcName(e.dc) === name) : undefined;
    out.push(dcOf(name, listed.site, listed.readOnly, reads, copy, directory, notes));
  }
  return out;
}

/** A DC's short name as the lab holds it (DC01 from DC01, DC01$ or dc01.lab.test), or undefined. */
function dcName(raw: string): string | undefined {
  const name = shortName(accountName(raw));
  return nodeNameProblem(name) ? undefined : name;
}

function dcOf(name: string, site: string | null, readOnly: boolean, reads: DcReads | undefined, copy: ReplicationEntry | undefined, directory: Directory, notes: string[]): DcInput {
  const dc: DcInput = { name, readOnly };
  if (site === null) notes.push(`${name}'s site is unknown; the lab puts it in the default site`);
  else if (siteNameSchema.safeParse(site).success) dc.site = site;
  else notes.push(`${name}'s site "${site}" is not an AD site name the lab can hold`);
  if (reads) {
    const { kdcEvents, hotfixes } = reads;
    if (!kdcEvents.ok && !hotfixes.ok) {
      // The lab's unreachable DC fails both reads and its replication read, as a DC that does not answer does.
      dc.reachable = false;
      if (kdcEvents.error.code !== 'HOST_UNREACHABLE') notes.push(`${name} failed its reads with ${kdcEvents.error.code}; the lab reproduces it as unreachable`);
      if (copy?.ok) notes.push(`${name} answered the delegation read but not its KDC reads; the lab fails both`);
      return dc;
    }
    if (!kdcEvents.ok) notes.push(`${name}'s KDC event read failed (${kdcEvents.error.code}); the lab answers it with no events`);
    if (!hotfixes.ok) notes.push(`${name}'s update read failed (${hotfixes.error.code}); the lab answers it with no updates`);
    if (kdcEvents.ok) dc.kdcEvents = kdcEvents.value.events.flatMap((e) => eventOf(name, e, notes));
    if (hotfixes.ok) {
      dc.hotfixes = hotfixes.value.hotfixes
        .filter((x) => keep(/^KB\d{6,8}$/.test(x.id), notes, `${name}'s hotfix "${x.id}" is not a KB id the lab can hold`))
        .map((x) => ({ id: x.id, installedOn: x.installedOn }));
    }
  }
  if (copy && !copy.ok) notes.push(`${name}'s copy of the delegation could not be read (${copy.error.code}) though its KDC reads answered; the lab answers it as replicated`);
  if (copy?.ok) {
    const delegation = delegationOf(name, copy.computers, directory, notes);
    // lagReads stays 0: the check cannot see how long replication will take. The lab keeps these
    // older values until the next delegation write, as a DC that has not replicated yet would.
    if (Object.keys(delegation).length > 0) dc.delegation = delegation;
  }
  return dc;
}

function eventOf(dc: string, e: KdcEvent, notes: string[]): KdcEventInput[] {
  if (e.status !== null && !STATUSES.has(e.status)) {
    notes.push(`${dc}'s KDC event ${e.id} at ${e.time} has status ${e.status}, which the lab cannot hold`);
    return [];
  }
  return [
    {
      log: e.log,
      id: e.id,
      time: e.time,
      ...(e.status !== null ? { status: e.status as (typeof KDC_FAILURE_STATUSES)[number] } : {}),
      ...(e.account !== null ? { account: e.account } : {}),
      ...(e.service !== null ? { service: e.service } : {}),
      ...(e.transmittedServices !== null ? { transmittedServices: e.transmittedServices } : {}),
      message: e.message,
    },
  ];
}

/** The computers whose values this DC holds differently from the directory: those, as the DC holds them. */
function delegationOf(dc: string, copies: DcDelegation[], directory: Directory, notes: string[]): NonNullable<DcInput['delegation']> {
  const out: NonNullable<DcInput['delegation']> = {};
  for (const copy of copies) {
    const name = accountName(copy.computer);
    const own = directory?.computers.find((c) => accountName(c.name) === name || shortName(c.dnsHostName ?? '') === shortName(name));
    if (!own) continue; // unknown to the directory too: the lab's DC does not find it either
    if (!copy.found) {
      notes.push(`${dc} has no copy of ${name}'s computer object; the lab's DCs all hold it`);
      continue;
    }
    if (copy.userAccountControl === null) {
      notes.push(`${dc}'s userAccountControl for ${name} was not read; the lab answers the directory's`);
      continue;
    }
    if (sameValues(copy, own.allowedToDelegateTo, own.userAccountControl, own.allowedToActOnBehalfOf)) continue;
    const key = accountName(own.name);
    out[key] = {
      allowedToDelegateTo: copy.allowedToDelegateTo.filter((spn) => keep(existingSpnSchema.safeParse(spn).success, notes, `${dc}'s delegation entry "${spn}" for ${key} is not a valid SPN`)),
      userAccountControl: copy.userAccountControl,
      allowedToActOnBehalfOf: copy.allowedToActOnBehalfOf
        .map(accountName)
        .filter((n) => keep(!nodeNameProblem(n) && !n.includes('.'), notes, `${dc}'s RBCD entry "${n}" for ${key} is not a computer name the lab can hold`)),
    };
  }
  return out;
}

function sameValues(copy: DcDelegation, delegateTo: string[], uac: number, rbcd: string[]): boolean {
  const set = (values: string[]) => JSON.stringify([...new Set(values.map((v) => v.toLowerCase()))].sort());
  return copy.userAccountControl === uac && set(copy.allowedToDelegateTo) === set(delegateTo) && set(copy.allowedToActOnBehalfOf.map(accountName)) === set(rbcd.map(accountName));
}

function keep(ok: boolean, notes: string[], why: string): boolean {
  if (!ok) notes.push(why);
  return ok;
}
