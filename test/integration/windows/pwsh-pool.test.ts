import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { RelayError } from '../../../src/relay/protocol.js';
import { createWindowsBackend, PwshPool, type WindowsBackend } from '../../../src/relay/server/backends/windows/index.js';
import { healthyCluster } from '../../../tools/pwsh-lab/fixtures.js';
import { findPwsh, PwshLab, SKIP_PWSH } from '../../../tools/pwsh-lab/lab.js';

// The pool with real PowerShell 7 processes: long-lived (never one per call), one queue, broken
// processes replaced, clean errors for everything a process can do wrong.

// One set of nodes for the file; each test gets its own backend (its own pool) and counts the
// processes it started from where the lab's start log stood.
let lab: PwshLab;
let pools: PwshPool[] = [];
let backends: WindowsBackend[] = [];
let startsBefore = 0;
beforeAll(() => {
  if (SKIP_PWSH) return;
  const hosts = healthyCluster(4);
  hosts.push({ ...structuredClone(hosts[0]!), name: 'HANG', fqdn: 'hang.lab.test', failure: 'hang' });
  lab = new PwshLab(hosts);
}, 120_000);
afterAll(() => lab?.cleanup());
afterEach(async () => {
  await Promise.all([...pools, ...backends].map((p) => p.close()));
  pools = [];
  backends = [];
});

function setup(poolSize: number, pool = {}) {
  startsBefore = lab.pids().length;
  const backend = lab.backend(poolSize, pool);
  backends.push(backend);
  return { backend, client: new InProcessRelayClient(backend, 'windows (real pwsh)') };
}

/** PowerShell processes started by this test's backend, oldest first. */
const pids = () => lab.pids().slice(startsBefore);
const callsBefore = () => lab.calls().length;

/** A pool on plain pwsh, for what the relay's scripts never do (throw outside the envelope, print junk). */
function plainPool(options: { timeoutMs?: number } = {}) {
  const pool = new PwshPool({ executable: findPwsh(), size: 1, commandTimeoutMs: options.timeoutMs ?? 30_000 });
  pools.push(pool);
  return pool;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(SKIP_PWSH)('pwsh pool', () => {
  it('runs 16 parallel calls on exactly the pool size of processes', async () => {
    const { client, backend } = setup(3);
    const nodes = ['HV01', 'HV02', 'HV03', 'HV04'];
    const before = callsBefore();
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => client.call('host.migration-settings', { node: nodes[i % 4]! })));
    expect(results.every((r) => r.authenticationType === 'Kerberos')).toBe(true);
    expect(pids()).toHaveLength(3);
    expect(backend.poolStats()).toMatchObject({ started: 3, alive: 3, busy: 0, queued: 0 });
    expect(lab.calls().length - before).toBe(16);
  }, 60_000);

  it('starts processes only when needed and reuses them for later calls', async () => {
    const { client } = setup(4);
    for (const node of ['HV01', 'HV02', 'HV03']) await client.call('host.vms', { node });
    expect(pids().length).toBe(1);
  }, 60_000);

  it('replaces a process killed mid-call, answering that call with a clean error', async () => {
    const { client, backend } = setup(1);
    await client.call('host.vms', { node: 'HV01' });
    const [pid] = pids();
    const hung = client.call('host.vms', { node: 'HANG' }).catch((e: unknown) => e);
    await expect.poll(() => backend.poolStats().busy, { timeout: 10_000 }).toBe(1);
    process.kill(pid!, 'SIGKILL');
    const e = await hung;
    expect(e).toBeInstanceOf(RelayError);
    expect(e).toMatchObject({ code: 'BACKEND_ERROR', message: expect.stringContaining('exited while running the command') });
    expect(await client.call('host.vms', { node: 'HV02' })).toMatchObject({ vms: [{ name: 'hv02-vm1', state: 'Running' }] });
    expect(pids()).toHaveLength(2);
    expect(pids()[1]).not.toBe(pid);
  }, 60_000);

  it('kills a process that overruns the timeout, and the queue moves on', async () => {
    // Long enough for a fresh process to start and answer on a loaded machine, far below the hang.
    const { client } = setup(1, { commandTimeoutMs: 12_000 });
    const hung = client.call('host.vms', { node: 'HANG' }).catch((err: unknown) => err);
    const queued = client.call('host.vms', { node: 'HV01' });
    expect(await hung).toMatchObject({ code: 'TIMEOUT' });
    expect(await queued).toMatchObject({ vms: [{ name: 'hv01-vm1', state: 'Running' }] });
    const [first, second] = pids();
    expect(second).toBeDefined();
    await expect.poll(() => alive(first!), { timeout: 10_000 }).toBe(false);
  }, 60_000);

  it('refuses calls after close and leaves no process behind', async () => {
    const { client, backend } = setup(2);
    await client.call('host.vms', { node: 'HV01' });
    const [pid] = pids();
    await backend.close();
    await expect.poll(() => alive(pid!), { timeout: 10_000 }).toBe(false);
    await expect(client.call('host.vms', { node: 'HV01' })).rejects.toMatchObject({ code: 'BACKEND_ERROR', message: expect.stringContaining('closed') });
  }, 60_000);

  it('in process-per-command mode (the benchmark baseline) starts one process per call', async () => {
    const { client } = setup(2, { processPerCommand: true });
    for (const node of ['HV01', 'HV02', 'HV03']) await client.call('host.vms', { node });
    expect(pids().length).toBe(3);
  }, 60_000);

  it('cancels a queued call whose signal aborts before it runs', async () => {
    const { client } = setup(1);
    const before = callsBefore();
    const first = client.call('host.vms', { node: 'HV01' });
    const abort = new AbortController();
    const second = client.call('host.vms', { node: 'HV02' }, { signal: abort.signal }).catch((err: unknown) => err);
    abort.abort();
    expect(await second).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('cancelled') });
    await first;
    expect(lab.calls().slice(before).map((c) => c.computerName)).toEqual(['HV01']);
  }, 60_000);

  it('says which setting to fix when PowerShell cannot be started', async () => {
    const backend = createWindowsBackend({ pwshPath: '/nonexistent/pwsh', poolSize: 1, jeaConfigurationName: 'HvLmDiag', jeaWriteConfigurationName: 'HvLmFix' });
    const client = new InProcessRelayClient(backend, 'windows');
    try {
      for (let i = 0; i < 2; i++) {
        await expect(client.call('host.vms', { node: 'HV01' })).rejects.toMatchObject({ code: 'BACKEND_ERROR', message: 'could not start PowerShell: PWSH_PATH=/nonexistent/pwsh was not found or is not executable' });
      }
    } finally {
      await backend.close();
    }
  });

  it('a command that throws is a clean BACKEND_ERROR, and the process serves the next one', async () => {
    const pool = plainPool();
    await expect(pool.run("throw 'boom: C:\\secret\\path'\n")).rejects.toMatchObject({ code: 'BACKEND_ERROR', message: 'PowerShell reported an error running the relay script' });
    expect((await pool.run("'after'\n")).trim()).toBe('after');
    expect(pool.stats()).toMatchObject({ started: 1, alive: 1 });
  }, 60_000);

  it('garbage on stdout reaches the envelope parser as text, never as data', async () => {
    const { parseEnvelope } = await import('../../../src/relay/server/backends/windows/envelope.js');
    const pool = plainPool();
    const out = await pool.run("Write-Host 'garbage'; '{\"ok\":true,\"data\":1}'\n");
    expect(() => parseEnvelope(out, 'host.vms')).toThrow(/not JSON/);
  }, 60_000);
});
