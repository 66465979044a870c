import { z } from 'zod';
import { RelayError, type OpParams, type OpResult } from '../../../protocol.js';
import { psDateTime, psList, psAuthenticationType, psNumberList, psSingle, psVmState, qfeDate, parseData } from './ps-values.js';

// What each read script's `data` holds (PowerShell property names, quirks allowed), and how it
// becomes the protocol's result. Unknown extra properties (PSComputerName, RunspaceId...) are ignored.

const MAX_MESSAGE = 8000;

const vmHost = psSingle(
  z.object({
    VirtualMachineMigrationEnabled: z.boolean(),
    VirtualMachineMigrationAuthenticationType: psAuthenticationType,
    MaximumVirtualMachineMigrations: z.number().int().min(0),
    MaximumStorageMigrations: z.number().int().min(0).nullish(),
    UseAnyNetworkForMigration: z.boolean().nullish(),
    VirtualMachineMigrationPerformanceOption: z.enum(['TCPIP', 'Compression', 'SMB']).nullish(),
  }),
);

/** Addresses as ConvertTo-Json writes a string array: a list, a lone string, or null for none. */
const psStringList = z.preprocess((v) => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().min(1).max(64)).max(64));

const security = z.object({
  OperatingSystem: psSingle(z.object({ Caption: z.string().min(1), Version: z.string().nullish() })),
  DeviceGuard: psSingle(z.object({ SecurityServicesRunning: psNumberList, SecurityServicesConfigured: psNumberList })),
  TimeStatus: psSingle(z.object({ Source: z.string().nullish(), OffsetSeconds: z.number() })),
  Addresses: psStringList,
  /** Win32_NTDomain.ClientSiteName ('' when none is known); absent from roles older than issue 19. */
  Site: z.string().max(64).nullish(),
});

export const rawEvent = z.object({
  LogName: z.string().min(1),
  Id: z.number().int(),
  TimeCreated: psDateTime,
  Message: z.string().nullable(),
});

export function toHostEvent(e: z.infer<typeof rawEvent>) {
  const message = e.Message ?? '';
  return { log: e.LogName, id: e.Id, time: e.TimeCreated, message: message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message };
}

const hotfix = z.object({ HotFixID: z.string().min(1).max(40), InstalledOn: qfeDate });
const dnsAnswer = z.object({ Query: z.string(), Addresses: psStringList, NameHost: z.string().nullish(), TimedOut: z.boolean().nullish() });
const vm = z.object({
  Name: z.string().min(1),
  State: psVmState,
  IsClustered: z.boolean().nullish(),
  StoragePaths: z.preprocess((v) => (v === null || v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().min(1).max(400)).max(64)),
});
const clusterNode = z.object({ Name: z.string().min(1), Cluster: z.string().nullish() });


export function migrationSettings(data: unknown): OpResult<'host.migration-settings'> {
  const h = parseData(vmHost, data, 'host.migration-settings');
  return {
    enabled: h.VirtualMachineMigrationEnabled,
    authenticationType: h.VirtualMachineMigrationAuthenticationType,
    maxMigrations: h.MaximumVirtualMachineMigrations,
    ...(h.MaximumStorageMigrations == null ? {} : { maxStorageMigrations: h.MaximumStorageMigrations }),
    ...(h.UseAnyNetworkForMigration == null ? {} : { useAnyNetwork: h.UseAnyNetworkForMigration }),
    ...(h.VirtualMachineMigrationPerformanceOption == null ? {} : { performanceOption: h.VirtualMachineMigrationPerformanceOption }),
  };
}

/** Credential Guard is service 1 of Win32_DeviceGuard.SecurityServices*. */
export function hostSecurity(data: unknown): OpResult<'host.security'> {
  const s = parseData(security, data, 'host.security');
  return {
    os: s.OperatingSystem.Caption.trim().slice(0, 200),
    credentialGuardRunning: s.DeviceGuard.SecurityServicesRunning.includes(1),
    credentialGuardConfigured: s.DeviceGuard.SecurityServicesConfigured.includes(1),
    clockOffsetSeconds: s.TimeStatus.OffsetSeconds,
    addresses: s.Addresses,
    ...(s.Site ? { site: s.Site } : {}),
  };
}

export function hostEvents(data: unknown): OpResult<'host.events'> {
  const events = parseData(psList(rawEvent), data, 'host.events').map(toHostEvent);
  // Newest first across both logs, as the lab relay answers (Get-WinEvent orders within one log
  // only; Get-HvLmEvent returns the logs one after the other).
  events.sort((a, b) => b.time.localeCompare(a.time));
  return { events };
}

export function hostHotfixes(data: unknown): OpResult<'host.hotfixes'> {
  return { hotfixes: parseData(psList(hotfix), data, 'host.hotfixes').map((h) => ({ id: h.HotFixID, installedOn: h.InstalledOn })) };
}

/** One answer per asked name, in order: every address, and the name the first reverses to (PTR). */
export function hostDns(data: unknown, params: OpParams<'host.dns'>): OpResult<'host.dns'> {
  const answers = parseData(psList(dnsAnswer), data, 'host.dns');
  const matches = answers.length === params.names.length && answers.every((a, i) => a.Query.toLowerCase() === params.names[i]?.toLowerCase());
  if (!matches) throw new RelayError('BAD_RESPONSE', 'PowerShell answered host.dns for other names than were asked');
  // A name the node's DNS did not answer within Resolve-HvLmName's per-name timeout is not known
  // not to resolve: DNS is reported unread (unknown) rather than judged on a missing answer.
  const late = answers.filter((a) => a.TimedOut === true).map((a) => a.Query);
  if (late.length > 0) {
    throw new RelayError('TIMEOUT', `${params.node}: DNS did not answer ${late.length} of ${answers.length} lookups in time (${late.slice(0, 3).join(', ')}${late.length > 3 ? ', …' : ''})`);
  }
  return {
    answers: answers.map((a) => ({ name: a.Query, resolvedTo: a.Addresses.length > 0 ? (a.NameHost ?? null) : null, addresses: a.Addresses })),
  };
}

export function hostVms(data: unknown): OpResult<'host.vms'> {
  return {
    vms: parseData(psList(vm), data, 'host.vms').map((v) => ({
      name: v.Name,
      state: v.State,
      ...(v.IsClustered == null ? {} : { isClustered: v.IsClustered }),
      ...(v.StoragePaths.length > 0 ? { storagePaths: v.StoragePaths } : {}),
    })),
  };
}

export function clusterNodes(data: unknown, params: OpParams<'cluster.nodes'>): OpResult<'cluster.nodes'> {
  const nodes = parseData(psList(clusterNode), data, 'cluster.nodes');
  if (nodes.length === 0) throw new RelayError('BAD_RESPONSE', `PowerShell answered cluster.nodes for ${params.cluster} with no nodes`);
  return { cluster: nodes[0]?.Cluster || params.cluster, nodes: nodes.map((n) => n.Name) };
}
