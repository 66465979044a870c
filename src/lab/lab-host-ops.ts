import { RelayError, type OpParams, type OpResult } from '../relay/protocol.js';
import { part } from './lab-part.js';
import type { LabState } from './lab-state.js';

// Host and cluster reads, answered from the lab state as the JEA endpoint would answer them.

export function migrationSettings(state: LabState, p: OpParams<'host.migration-settings'>): OpResult<'host.migration-settings'> {
  const { migration } = state.reachableHost(p.node);
  return {
    enabled: migration.enabled,
    authenticationType: migration.authenticationType,
    maxMigrations: migration.maxMigrations,
    ...(migration.performanceOption !== undefined ? { performanceOption: migration.performanceOption } : {}),
  };
}

export function security(state: LabState, p: OpParams<'host.security'>): OpResult<'host.security'> {
  const host = state.reachableHost(p.node);
  return {
    os: host.os,
    credentialGuardRunning: host.credentialGuard,
    credentialGuardConfigured: host.credentialGuard,
    clockOffsetSeconds: host.clockOffsetSeconds,
    addresses: [...(host.addresses ?? [])],
    ...(host.site !== undefined ? { site: host.site } : {}),
  };
}

/** Events of the last `sinceHours` before the lab's now, newest first (as Get-WinEvent returns them). */
export function events(state: LabState, p: OpParams<'host.events'>): OpResult<'host.events'> {
  const host = state.reachableHost(p.node);
  const end = state.now.getTime();
  const start = end - p.sinceHours * 3_600_000;
  const inWindow = host.events.filter((e) => {
    const t = Date.parse(e.time);
    return t >= start && t <= end;
  });
  inWindow.sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  return { events: inWindow.map((e) => ({ log: e.log, id: e.id, time: e.time, message: e.message })) };
}

export function hotfixes(state: LabState, p: OpParams<'host.hotfixes'>): OpResult<'host.hotfixes'> {
  const host = state.reachableHost(p.node);
  return { hotfixes: host.hotfixes.map((h) => ({ id: h.id, installedOn: h.installedOn })) };
}

export function dns(state: LabState, p: OpParams<'host.dns'>): OpResult<'host.dns'> {
  const host = state.reachableHost(p.node);
  return { answers: p.names.map((name) => ({ name, ...state.resolve(host, name) })) };
}

export function vms(state: LabState, p: OpParams<'host.vms'>): OpResult<'host.vms'> {
  const host = state.reachableHost(p.node);
  return {
    vms: host.vms.map((v) => ({
      name: v.name,
      state: v.state,
      ...(v.clustered !== undefined ? { isClustered: v.clustered } : {}),
      ...(v.storagePaths !== undefined ? { storagePaths: [...v.storagePaths] } : {}),
    })),
  };
}

/** Get-ClusterNode answers through any node of the cluster that is up. */
export function clusterNodes(state: LabState, p: OpParams<'cluster.nodes'>): OpResult<'cluster.nodes'> {
  const cluster = state.clusters.find((c) => c.name.toUpperCase() === p.cluster.split('.')[0]!.toUpperCase());
  if (!cluster) throw new RelayError('UNKNOWN_HOST', `${p.cluster} is not a cluster of this lab`);
  const up = cluster.nodes.some((n) => state.hosts.find((h) => h.name.toUpperCase() === n.toUpperCase())?.reachable);
  if (!up) throw new RelayError('HOST_UNREACHABLE', `no node of ${cluster.name} answered`);
  return { cluster: cluster.name, nodes: [...cluster.nodes] };
}

/**
 * Every read of one node at once, each part as its own operation would answer it or with the
 * error it alone met. A node that does not answer at all fails as a whole (no session).
 */
export function evidence(state: LabState, p: OpParams<'host.evidence'>): OpResult<'host.evidence'> {
  state.reachableHost(p.node);
  return {
    migration: part(() => migrationSettings(state, { node: p.node })),
    security: part(() => security(state, { node: p.node })),
    events: part(() => events(state, { node: p.node, sinceHours: p.sinceHours })),
    hotfixes: part(() => hotfixes(state, { node: p.node })),
    dns: part(() => (p.names.length > 0 ? dns(state, { node: p.node, names: p.names }) : { answers: [] })),
    vms: part(() => vms(state, { node: p.node })),
  };
}
