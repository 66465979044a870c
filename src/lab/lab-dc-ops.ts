import { shortName } from '../kernel/node-name.js';
import { type DcDelegation, type KdcEvent, type OpParams, type OpResult } from '../relay/protocol.js';
import { part } from './lab-part.js';
import type { LabComputer, LabDc, LabState } from './lab-state.js';

// Domain-controller reads (issue 19), answered from the scenario's domainControllers as the DC
// JEA role and the per-DC LDAP read would answer them. Replication latency is counted in
// directory.replication reads: a DC that lags keeps its own values for lagReads reads.

export function list(state: LabState): OpResult<'dc.list'> {
  state.requireDirectory();
  return {
    dcs: state.dcs.map((dc) => ({ name: dc.name, dnsHostName: `${dc.name.toLowerCase()}.${state.domain.fqdn}`, site: dc.site, readOnly: dc.readOnly })),
  };
}

/** `HV01$@LAB.TEST`, `LAB\HV01$`, `hv01` and `cifs/hv01.lab.test` compared by what they name. */
export function principalKey(value: string): string {
  const noRealm = value.replace(/@.*$/, '');
  const noDomain = noRealm.includes('\\') ? noRealm.slice(noRealm.indexOf('\\') + 1) : noRealm;
  return noDomain.replace(/\$$/, '').toLowerCase();
}

/** Does an event name one of the asked principals (account or service, or the text of a System event)? */
export function namesOne(e: Pick<KdcEvent, 'log' | 'account' | 'service' | 'message'>, names: string[]): boolean {
  const keys = new Set(names.map(principalKey));
  if (e.log === 'Security') return [e.account, e.service].some((v) => v !== null && keys.has(principalKey(v)));
  const text = e.message.toLowerCase();
  return names.some((n) => text.includes(n.replace(/\$$/, '').toLowerCase()));
}

export function kdcEvents(state: LabState, p: OpParams<'dc.kdc-events'>): OpResult<'dc.kdc-events'> {
  const dc = state.reachableDc(p.dc);
  const end = state.now.getTime();
  const start = end - p.sinceHours * 3_600_000;
  const events = dc.kdcEvents
    .map((e) => ({
      log: e.log,
      id: e.id,
      time: e.time,
      status: e.status ?? null,
      account: e.account ?? null,
      service: e.service ?? null,
      transmittedServices: e.transmittedServices ?? null,
      message: e.message,
    }))
    .filter((e) => {
      const t = Date.parse(e.time);
      return t >= start && t <= end && namesOne(e, p.names);
    })
    .sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  return { events };
}

export function hotfixes(state: LabState, p: OpParams<'dc.hotfixes'>): OpResult<'dc.hotfixes'> {
  const dc = state.reachableDc(p.dc);
  return { hotfixes: dc.hotfixes.map((h) => ({ id: h.id, installedOn: h.installedOn })) };
}

export function evidence(state: LabState, p: OpParams<'dc.evidence'>): OpResult<'dc.evidence'> {
  state.reachableDc(p.dc);
  return {
    kdcEvents: part(() => kdcEvents(state, { dc: p.dc, sinceHours: p.sinceHours, names: p.names })),
    hotfixes: part(() => hotfixes(state, { dc: p.dc })),
  };
}

/** Each DC's copy of the computers' delegation values; one read counts one step of replication. */
export function replication(state: LabState, p: OpParams<'directory.replication'>): OpResult<'directory.replication'> {
  state.requireDirectory();
  const dcs = p.dcs.map((name): OpResult<'directory.replication'>['dcs'][number] => {
    let dc: LabDc;
    try {
      dc = state.reachableDc(name);
    } catch {
      const known = state.dcs.some((d) => shortName(d.name) === shortName(name));
      return known
        ? { dc: name, ok: false, error: { code: 'DIRECTORY_UNREACHABLE', message: `cannot reach ${name} over LDAP` } }
        : { dc: name, ok: false, error: { code: 'UNKNOWN_HOST', message: `${name} is not a domain controller of ${state.domain.fqdn}` } };
    }
    return { dc: dc.name, ok: true, computers: p.computers.map((c) => valuesOn(state, dc, c)) };
  });
  for (const dc of state.dcs) {
    if (dc.lagRemaining > 0 && --dc.lagRemaining === 0) dc.delegation = {};
  }
  return { dcs };
}

function valuesOn(state: LabState, dc: LabDc, name: string): DcDelegation {
  const computer = state.findComputer(name);
  if (!computer) return { computer: name, found: false, allowedToDelegateTo: [], userAccountControl: null, allowedToActOnBehalfOf: [] };
  const own = Object.entries(dc.delegation).find(([k]) => shortName(k) === shortName(computer.name))?.[1];
  const v = own ?? computer;
  return {
    computer: computer.name,
    found: true,
    allowedToDelegateTo: [...v.allowedToDelegateTo],
    userAccountControl: v.userAccountControl,
    allowedToActOnBehalfOf: [...v.allowedToActOnBehalfOf],
  };
}

/** After a delegation write: a lagging DC keeps the values from before it for lagReads reads; the others have the new ones at once. */
export function afterWrite(state: LabState, written: Array<{ computer: LabComputer; before: { allowedToDelegateTo: string[]; userAccountControl: number; allowedToActOnBehalfOf: string[] } }>): void {
  for (const dc of state.dcs) {
    for (const { computer, before } of written) {
      const key = Object.keys(dc.delegation).find((k) => shortName(k) === shortName(computer.name));
      if (dc.lagReads === 0) {
        if (key) delete dc.delegation[key];
      } else if (!key) {
        dc.delegation[computer.name] = { ...before, allowedToDelegateTo: [...before.allowedToDelegateTo], allowedToActOnBehalfOf: [...before.allowedToActOnBehalfOf] };
      }
    }
    if (dc.lagReads > 0) dc.lagRemaining = dc.lagReads;
  }
}
