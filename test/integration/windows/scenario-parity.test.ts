import { afterAll, describe, expect, it } from 'vitest';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { RelayError, type OperationName } from '../../../src/relay/protocol.js';
import { hostStatesFromScenario } from '../../../tools/pwsh-lab/host-state.js';
import { PwshLab, SKIP_PWSH } from '../../../tools/pwsh-lab/lab.js';

// A scenario and its run through real PowerShell describe the same hosts: every read the
// diagnostics make, answered by the lab relay from the scenario and by the windows backend
// (node-powershell → pwsh 7 → the relay's scripts → emulated WinRM → JEA runspaces built from
// manifests/jea → stub cmdlets holding the scenario's host state), must give the same facts.
// A difference is a bug in a script, a role file, a parser or the lab.

// Between them: CredSSP and Kerberos, Credential Guard on and off, failure events of several
// kinds, updates, DNS answers pointing elsewhere, several addresses per host, a node down, VM
// storage on an SMB share, nodes in two AD sites. (Clock offsets: jea-constraints.test.ts.)
const SCENARIOS = ['lab/default.yaml', 'lab/dns-mismatch.yaml', 'lab/dns-multihomed.yaml', 'lab/node-unreachable.yaml', 'lab/delegation-missing-cifs-sofs.yaml', 'lab/replication-pending-other-site.yaml'];

const labs: PwshLab[] = [];
afterAll(async () => {
  await Promise.all(labs.map((l) => l.cleanup()));
});

type Outcome = { ok: true; value: unknown } | { ok: false; code: string };

async function outcome(p: Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    if (e instanceof RelayError) return { ok: false, code: e.code };
    throw e;
  }
}

/** The facts the engine uses, with the windows answer mapped back onto the scenario's clock. */
function facts(op: OperationName, value: unknown, shiftMs: number): unknown {
  const v = value as Record<string, unknown>;
  switch (op) {
    case 'host.migration-settings':
      // A real host always reports its performance option; the lab only where the scenario sets one.
      return { enabled: v.enabled, authenticationType: v.authenticationType, maxMigrations: v.maxMigrations };
    case 'host.evidence': {
      // Each part as its single read: a value judged like that read, or the same error code.
      const parts = v as Record<string, { ok: boolean; value?: unknown; error?: { code: string } }>;
      const single: Record<string, OperationName> = { migration: 'host.migration-settings', security: 'host.security', events: 'host.events', hotfixes: 'host.hotfixes', dns: 'host.dns', vms: 'host.vms' };
      return Object.fromEntries(Object.entries(single).map(([key, op]) => [key, parts[key]!.ok ? { ok: true, value: facts(op, parts[key]!.value, shiftMs) } : { ok: false, code: parts[key]!.error!.code }]));
    }
    case 'host.vms': {
      // Storage paths likewise: a real host always has them, the lab only where the scenario
      // sets them; the stub's default layout (C:\ProgramData\...) stands for "not set".
      const isDefault = (paths: unknown) => Array.isArray(paths) && paths.every((p) => String(p).startsWith('C:\\ProgramData\\'));
      return { vms: (v.vms as Array<Record<string, unknown>>).map(({ storagePaths, ...rest }) => (isDefault(storagePaths) ? rest : { ...rest, storagePaths })) };
    }
    case 'host.security':
      return { ...v, os: String(v.os).replace(/^Microsoft /, '') };
    case 'host.events':
      return (v.events as Array<{ time: string }>).map((e) => ({ ...e, time: new Date(Date.parse(e.time) - shiftMs).toISOString() }));
    default:
      return value;
  }
}

describe.skipIf(SKIP_PWSH)('lab relay and windows backend agree on every read', () => {
  it.each(SCENARIOS)('%s', async (file) => {
    const scenario = await loadScenario(file);
    const realNow = new Date();
    const shiftMs = realNow.getTime() - Date.parse(scenario.domain.now);
    const lab = new PwshLab(hostStatesFromScenario(scenario, realNow));
    labs.push(lab);
    const windows = new InProcessRelayClient(lab.backend(4), 'windows (real pwsh)');
    const reference = new InProcessRelayClient(new LabBackend(scenario), 'lab');
    const names = scenario.hosts.map((h) => h.name);
    const reads: Array<[OperationName, Record<string, unknown>]> = names.flatMap((node) => [
      ['host.migration-settings', { node }],
      ['host.security', { node }],
      ['host.events', { node, sinceHours: 72 }],
      ['host.hotfixes', { node }],
      ['host.dns', { node, names: names.filter((n) => n !== node).flatMap((n) => [n, `${n.toLowerCase()}.${scenario.domain.fqdn}`]) }],
      ['host.vms', { node }],
    ] as Array<[OperationName, Record<string, unknown>]>);
    for (const c of scenario.clusters) reads.push(['cluster.nodes', { cluster: c.name }]);
    // And every node's reads in one request, as the diagnostics make them.
    for (const node of names) reads.push(['host.evidence', { node, sinceHours: 72, names: names.filter((n) => n !== node).flatMap((n) => [n, `${n.toLowerCase()}.${scenario.domain.fqdn}`]) }]);

    const results = await Promise.all(
      reads.map(async ([op, params]) => {
        const [w, l] = await Promise.all([outcome(windows.call(op, params as never)), outcome(reference.call(op, params as never))]);
        return { op, params, windows: w.ok ? { ok: true, value: facts(op, w.value, shiftMs) } : w, lab: l.ok ? { ok: true, value: facts(op, l.value, 0) } : l };
      }),
    );
    for (const r of results) expect({ op: r.op, params: r.params, answer: r.windows }).toEqual({ op: r.op, params: r.params, answer: r.lab });
    // Every remote call reached the node as commands (never script text) on the read endpoint.
    const calls = lab.calls();
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call.configurationName).toBe('HvLmDiag');
      expect(call.script).toBeNull();
    }
  }, 120_000);
});
