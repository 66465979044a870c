import { createHash } from 'node:crypto';
import { sameHost, shortName } from '../kernel/node-name.js';
import { RelayError, MIGRATION_SERVICE, type HostEvent, type OpParams, type OpResult, type TestMigrationMode } from '../relay/protocol.js';
import { principalKey } from './lab-dc-ops.js';
import type { LabComputer, LabHost, LabState } from './lab-state.js';
import { DEFAULT_SITE } from './schema.js';

// vm.test-migration in the lab, decided from the scenario's facts alone (never by asking the
// diagnostics engine, so an engine that is wrong shows up as a disagreement between the verdict
// and the test migration). The model follows docs/domain.md for a move the bot starts off-box:
// both hosts on and migration enabled; the destination grants its VM worker account the
// "Log on as a service" right; a clock within 300 s; the source's name for the destination lands
// on the destination; with CredSSP, no Credential Guard on the source; with Kerberos, the source may
// delegate to the destination's migration service by its FQDN with protocol transition, or the
// destination grants it RBCD; the destination's migration and HOST SPNs live on that one computer; cifs
// where SMB is in play; and no machine tickets from before a fix. A failure leaves the 21502 event
// a real host would log, so the next check sees it; a success moves the VM.
// Modes (issue 19): without `mode` the move runs on the source (as before). `remote-initiated` is
// Move-VM -ComputerName <source> from the relay host: the relay has no sign-in on the source, so
// CredSSP cannot carry its credentials and only Kerberos with the source's delegation works.
// `cluster` moves a cluster role: the cluster starts the move on a node and needs no KCD of the
// nodes (docs/domain.md "Which moves a finding breaks"), so the delegation checks are skipped.

const HA_LOG = 'Microsoft-Windows-Hyper-V-High-Availability-Admin';
const TRUSTED_TO_AUTH_FOR_DELEGATION = 0x1000000;
const SKEW_LIMIT_SECONDS = 300;

interface Refusal {
  hresult: string;
  text: string;
  /** Where the move failed: the destination for a refused logon, else the source. */
  at?: 'destination';
}

export async function testMigration(state: LabState, p: OpParams<'vm.test-migration'>): Promise<OpResult<'vm.test-migration'>> {
  const started = performance.now();
  if (sameHost(p.source, p.destination)) throw new RelayError('BAD_REQUEST', 'source and destination are the same host');
  const source = state.reachableHost(p.source);
  const destination = state.reachableHost(p.destination);
  const vm = source.vms.find((v) => v.name.toLowerCase() === p.vm.toLowerCase());
  if (!vm) throw new RelayError('NOT_FOUND', `${source.name} has no VM named ${p.vm}`);
  if (p.mode === 'cluster' && vm.clustered !== true) throw new RelayError('BAD_REQUEST', `${vm.name} on ${source.name} is not a clustered VM; a cluster move needs a cluster role`);

  const refusal = refusalOf(state, source, destination, vm, p.mode);
  const durationMs = () => Math.round(performance.now() - started);
  const mode = p.mode === undefined ? {} : { mode: p.mode };
  if (!refusal) {
    source.vms.splice(source.vms.indexOf(vm), 1);
    destination.vms.push(vm);
    return { ...mode, succeeded: true, durationMs: durationMs(), message: `Live migration of '${vm.name}' from ${source.name} to ${destination.name} completed.`, events: [] };
  }
  const event = failureEvent(vm.name, refusal.at === 'destination' ? destination.name : source.name, destinationFqdn(state, destination), state.now.toISOString(), refusal);
  source.events.push(event);
  return { ...mode, succeeded: false, durationMs: durationMs(), message: `Live migration of '${vm.name}' from ${source.name} to ${destination.name} failed (${refusal.hresult}).`, events: [event] };
}

const NO_CREDENTIALS: Refusal = { hresult: '0x8009030E', text: 'No credentials are available in the security package' };

/** Why the move fails, from the scenario's facts; undefined when it works. */
export function refusalOf(state: LabState, source: LabHost, destination: LabHost, vm: LabHost['vms'][number], mode?: TestMigrationMode): Refusal | undefined {
  if (!source.migration.enabled || !destination.migration.enabled) return { hresult: '0x8007274D', text: 'No connection could be made because the target machine actively refused it' };
  if (destination.virtualMachinesLogonRight === false) {
    return { hresult: '0x80070569', text: 'Failed to create Planned Virtual Machine at migration destination: Logon failure: the user has not been granted the requested logon type at this computer', at: 'destination' };
  }
  if (Math.abs(source.clockOffsetSeconds - destination.clockOffsetSeconds) > SKEW_LIMIT_SECONDS || [source, destination].some((h) => Math.abs(h.clockOffsetSeconds) > SKEW_LIMIT_SECONDS)) {
    return { hresult: '0x80090324', text: 'The clocks on the client and server machines are skewed' };
  }
  const fqdn = destinationFqdn(state, destination);
  const lookup = state.resolve(source, fqdn);
  const own = new Set(destination.addresses ?? []);
  if (lookup.addresses.length === 0 || lookup.addresses.some((a) => !own.has(a))) return { hresult: '0x80090322', text: 'The target principal name is incorrect' };
  // CredSSP needs no delegation but the credentials of a person signed in on the source, which
  // Credential Guard withholds (docs/domain.md "Migration settings").
  // Started off-box there is no such person: the relay's own credentials must be delegated.
  if (source.migration.authenticationType === 'CredSSP') return source.credentialGuard || mode === 'remote-initiated' ? NO_CREDENTIALS : undefined;
  const s = state.findComputer(source.name);
  const d = state.findComputer(destination.name);
  if (!s || !d) return { hresult: '0x8009030D', text: 'The credentials supplied to the package were not recognized' };
  const kdcSays = kdcRefusal(state, source, destination, fqdn, mode);
  if (kdcSays) return kdcSays;
  if (mode === 'cluster') return clusterRefusal(state, destination, fqdn);
  // The KDC decides from its own copy: the worst DC of the source's site (one still lagging, if any).
  const sv = kdcCopy(state, source, s);
  const dv = kdcCopy(state, source, d);
  const rbcd = dv.allowedToActOnBehalfOf.some((a) => shortName(a) === shortName(s.name));
  const kcd = (sv.userAccountControl & TRUSTED_TO_AUTH_FOR_DELEGATION) !== 0 && sv.allowedToDelegateTo.some((v) => same(v, `${MIGRATION_SERVICE}/${fqdn}`));
  if (!rbcd && !kcd) return NO_CREDENTIALS;
  const owners = state.computers.filter((c) => c.servicePrincipalNames.some((spn) => same(spn, `${MIGRATION_SERVICE}/${fqdn}`)));
  if (owners.length !== 1 || owners[0] !== d) return NO_CREDENTIALS;
  // cifs and http (WinRM) map to HOST: a HOST SPN of the destination on a second account.
  const hostOwners = state.computers.filter((c) => c.servicePrincipalNames.some((spn) => same(spn, `HOST/${fqdn}`) || same(spn, `HOST/${shortName(destination.name)}`)));
  if (hostOwners.length > 1) return { hresult: '0x80090322', text: 'The target principal name is incorrect' };
  const cifsTo = (host: string, hostFqdn: string) => rbcd || (lists(s, `cifs/${host}`) && lists(s, `cifs/${hostFqdn}`));
  if (source.migration.performanceOption === 'SMB' && !cifsTo(shortName(destination.name), fqdn)) return NO_CREDENTIALS;
  for (const path of vm.storagePaths ?? []) {
    const server = /^\\\\([^\\]+)\\/.exec(path)?.[1];
    if (!server) continue;
    const serverFqdn = server.includes('.') ? server : `${server}.${state.domain.fqdn}`;
    if (!lists(s, `cifs/${shortName(server)}`) || !lists(s, `cifs/${serverFqdn}`)) return { hresult: '0x80070005', text: `General access denied error (storage on ${path})` };
  }
  if (source.ticketsStale) return NO_CREDENTIALS;
  return undefined;
}

/**
 * What the scenario's KDC events say of this move (issue 19): they are the DCs' standing
 * condition, so a refusal they record keeps refusing. A 4769 failure 0xD asked by the source for
 * the destination; a KDC etype event (14/16/26/27) naming either host; event 11 naming the
 * destination's migration or HOST SPN.
 */
function kdcRefusal(state: LabState, source: LabHost, destination: LabHost, destFqdn: string, mode?: TestMigrationMode): Refusal | undefined {
  const names = (h: LabHost, fqdn: string) => [shortName(h.name).toLowerCase(), fqdn.toLowerCase()];
  const srcNames = names(source, destinationFqdn(state, source));
  const dstNames = names(destination, destFqdn);
  const mentions = (text: string, forms: string[]) => forms.some((f) => new RegExp(`(^|[^a-z0-9-])${f.replace(/[.]/g, '\\.')}($|[^a-z0-9-])`, 'i').test(text));
  const hostOf = (v: string) => {
    const key = principalKey(v);
    return (key.includes('/') ? key.slice(key.indexOf('/') + 1) : key).replace(/:\d+$/, '');
  };
  for (const dc of state.dcs.filter((d) => d.reachable)) {
    for (const e of dc.kdcEvents) {
      // A refused S4U2proxy matters only to a move that delegates (not a cluster move).
      if (mode !== 'cluster' && e.log === 'Security' && e.id === 4769 && e.status === '0xD' && e.account && e.service && srcNames.includes(hostOf(e.account)) && dstNames.includes(hostOf(e.service))) {
        // The attempt's own refusal, logged by the KDC as it happens (what the bot reads back after a test).
        dc.kdcEvents.push({ ...e, time: state.now.toISOString(), message: `${e.message} (test migration attempt)`.slice(0, 8000) });
        return NO_CREDENTIALS;
      }
      if (e.log === 'System' && [14, 16, 26, 27].includes(e.id) && (mentions(e.message, srcNames) || mentions(e.message, dstNames))) return { hresult: '0x8009030E', text: 'No credentials are available in the security package (the KDC has no common encryption type)' };
      if (e.log === 'System' && e.id === 11 && ['microsoft virtual system migration service', 'host'].some((cls) => dstNames.some((n) => e.message.toLowerCase().includes(`${cls}/${n}`)))) {
        return { hresult: '0x80090322', text: 'The target principal name is incorrect' };
      }
    }
  }
  return undefined;
}

/**
 * A cluster move needs no delegation of the nodes, but still the destination's own migration SPN
 * on its one computer (SPN_MISSING / SPN_DUPLICATE break cluster moves too).
 */
function clusterRefusal(state: LabState, destination: LabHost, fqdn: string): Refusal | undefined {
  const d = state.findComputer(destination.name);
  const owners = state.computers.filter((c) => c.servicePrincipalNames.some((spn) => same(spn, `${MIGRATION_SERVICE}/${fqdn}`)));
  return owners.length === 1 && owners[0] === d ? undefined : NO_CREDENTIALS;
}

/** A computer's delegation as the KDC serving `host` holds it: a lagging DC of the host's site wins over the directory. */
function kdcCopy(state: LabState, host: LabHost, c: LabComputer): { allowedToDelegateTo: string[]; userAccountControl: number; allowedToActOnBehalfOf: string[] } {
  for (const dc of state.dcs.filter((d) => d.reachable && d.site.toLowerCase() === (host.site ?? DEFAULT_SITE).toLowerCase())) {
    const own = Object.entries(dc.delegation).find(([k]) => shortName(k) === shortName(c.name))?.[1];
    if (own) return own;
  }
  return c;
}

/** SPNs compare case-insensitively, service class included, as in AD. */
function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function lists(c: LabComputer, spn: string): boolean {
  return c.allowedToDelegateTo.some((v) => same(v, spn));
}

function destinationFqdn(state: LabState, host: LabHost): string {
  return state.findComputer(host.name)?.dnsHostName ?? `${host.name.toLowerCase()}.${state.domain.fqdn}`;
}

/** Event 21502 as Hyper-V logs it on the source when the move is refused (KB4558514 wording). */
export function failureEvent(vm: string, failedAt: string, destinationFqdn: string, time: string, refusal: Refusal = NO_CREDENTIALS): HostEvent {
  const id = vmId(vm);
  return {
    log: HA_LOG,
    id: 21502,
    time,
    message:
      `Live migration of 'Virtual Machine ${vm}' failed.\n\n` +
      `Virtual machine migration operation for '${vm}' failed at migration ${refusal.at ?? 'source'} '${failedAt}'. (Virtual machine ID ${id})\n\n` +
      `The Virtual Machine Management Service failed to establish a connection for a Virtual Machine migration with host '${destinationFqdn}': ` +
      `${refusal.text} (${refusal.hresult}).`,
  };
}

/** A stable, GUID-shaped VM id, so repeated runs log the same id for the same VM. */
function vmId(vm: string): string {
  const h = createHash('sha1').update(vm).digest('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
