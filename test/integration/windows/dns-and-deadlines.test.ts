import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/kernel/clock.js';
import { runCheck } from '../../../src/diagnostics/run-check.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { CompositeBackend } from '../../../src/relay/server/composite-backend.js';
import type { WindowsBackend } from '../../../src/relay/server/backends/windows/index.js';
import { healthyCluster, healthyClusterScenario } from '../../../tools/pwsh-lab/fixtures.js';
import { PwshLab, SKIP_PWSH } from '../../../tools/pwsh-lab/lab.js';

// Issue 18, items 2 and 3 on real PowerShell: a node resolves all its peers' names in one remote
// call, in parallel inside the node (Resolve-HvLmName's lookup pool, built inside the JEA role's
// own function), each name within its own timeout; and a node slower than the caller's deadline
// costs only its own answers (TIMEOUT, shown as unknown), never the check or a pool slot.

let lab: PwshLab;
let backend: WindowsBackend;
let client: InProcessRelayClient;
const NAMES = ['HV02', 'HV03', 'HV04', 'hv02.lab.test', 'hv03.lab.test', 'hv04.lab.test'];

beforeAll(() => {
  if (SKIP_PWSH) return;
  const hosts = healthyCluster(5);
  hosts[0]!.dnsLatencyMs = { '*': 300 }; // HV01: every lookup takes 300 ms
  hosts[1]!.dnsLatencyMs = { 'hv04.lab.test': 20_000 }; // HV02: one name never answers in time
  hosts[4]!.latencyMs = 30_000; // HV05: a node whose WinRM answers after 30 s
  lab = new PwshLab(hosts);
  backend = lab.backend(4, { commandTimeoutMs: 180_000 }); // process start-up on a loaded machine counts here
  client = new InProcessRelayClient(backend, 'windows (real pwsh)');
}, 120_000);
afterAll(async () => {
  await backend?.close();
  await lab?.cleanup();
});

interface DnsQuery {
  query: string;
  type: string;
  start: number;
  end: number;
}

function dnsQueries(node: string): DnsQuery[] {
  const file = path.join(lab.dir, 'hosts', node, 'dns.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as DnsQuery) : [];
}

/** The most lookups that were in flight at one moment. */
function mostAtOnce(queries: DnsQuery[]): number {
  return Math.max(0, ...queries.map((q) => queries.filter((o) => o.start < q.end && o.end > q.start).length));
}

describe.skipIf(SKIP_PWSH)('DNS in one remote step, in parallel inside the node', () => {
  it('resolves every name (A/AAAA, then the PTR of each first address) in one call, the lookups overlapping', async () => {
    const callsBefore = lab.calls().length;
    const out = await client.call('host.dns', { node: 'HV01', names: NAMES });
    expect(out.answers.map((a) => a.name)).toEqual(NAMES);
    for (const a of out.answers) {
      expect(a.addresses?.length, a.name).toBeGreaterThan(0);
      expect(a.resolvedTo, a.name).toMatch(/^hv0[234]\.lab\.test$/);
    }
    expect(lab.calls().slice(callsBefore)).toHaveLength(1);
    const queries = dnsQueries('HV01');
    expect(queries.filter((q) => q.type === 'A_AAAA').map((q) => q.query).sort()).toEqual(NAMES.map((n) => n.toLowerCase()).sort());
    expect(queries.filter((q) => q.type === 'PTR')).toHaveLength(3); // one per distinct first address
    // Sequential lookups never overlap; the role's pool runs every forward lookup at once.
    expect(mostAtOnce(queries.filter((q) => q.type === 'A_AAAA'))).toBe(NAMES.length);
  }, 60_000);

  it('a name unanswered within the per-name timeout makes DNS unknown (TIMEOUT), not "does not resolve"; the other parts stand', async () => {
    const started = Date.now();
    const e = await client.call('host.evidence', { node: 'HV02', sinceHours: 24, names: ['HV01', 'HV03', 'hv04.lab.test'] });
    expect(e.dns).toMatchObject({ ok: false, error: { code: 'TIMEOUT', message: expect.stringContaining('hv04.lab.test') } });
    expect(e.migration.ok && e.security.ok && e.events.ok && e.hotfixes.ok && e.vms.ok).toBe(true);
    // Within the 3 s per-name timeout (and the session), far from the 20 s the lookup would take.
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 60_000);
});

describe.skipIf(SKIP_PWSH)('a slow node at the deadline', () => {
  it('gives up the slow node at the caller\'s deadline, frees its process, and the check reports only that node unknown', async () => {
    const scenario = healthyClusterScenario(5);
    const relay = new InProcessRelayClient(new CompositeBackend([backend, new LabBackend(scenario, { latency: { hostMs: 0, directoryMs: 0 } })]), 'windows + lab directory');
    // Four processes already running, as in a relay that has served a check before.
    await Promise.all(['HV01', 'HV02', 'HV03', 'HV04'].map((node) => client.call('host.vms', { node })));
    const started = Date.now();
    const result = await runCheck(relay, ['HV01', 'HV03', 'HV04', 'HV05'], { clock: systemClock, eventWindowHours: 24, signal: AbortSignal.timeout(25_000) });
    expect(Date.now() - started).toBeLessThan(40_000); // HV05 alone would take 60 s (session, then call)
    expect(result.evidence.hosts.HV05!.migration).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    for (const node of ['HV01', 'HV03', 'HV04']) expect(result.evidence.hosts[node]!.migration, node).toMatchObject({ ok: true });
    // What people see: HV05's reads are missing (NODE_UNREACHABLE, naming the timeout), no one else's.
    const unreachable = result.diagnosis.findings.filter((f) => f.code === 'NODE_UNREACHABLE').map((f) => f.message);
    expect(unreachable).toHaveLength(1);
    expect(unreachable[0]).toContain('HV05');
    // The slot HV05 held was given back (its process replaced): the pool answers at once.
    await expect.poll(() => backend.poolStats().busy, { timeout: 10_000 }).toBe(0);
    expect(await client.call('host.vms', { node: 'HV03' })).toMatchObject({ vms: [{ name: 'hv03-vm1' }] });
  }, 300_000);
});
