import { afterEach, describe, expect, it } from 'vitest';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { RelayError } from '../../../src/relay/protocol.js';
import { createWindowsBackend } from '../../../src/relay/server/backends/windows/index.js';
import { DoubleHarness } from '../../helpers/pwsh-double/double-harness.js';
import { healthyCluster, healthyHost } from '../../helpers/pwsh-double/fixtures.js';

// The pool: long-lived processes (never one per call), a queue, broken processes replaced.

const fixture = {
  ...healthyCluster(4),
  hosts: { ...healthyCluster(4).hosts, CRASH: { ...healthyHost('CRASH', []), failure: 'crash' }, HANG: { ...healthyHost('HANG', []), failure: 'hang' } },
};

let harness: DoubleHarness | undefined;
afterEach(async () => {
  await harness?.cleanup();
  harness = undefined;
});

function setup(poolSize: number, pool = {}, env: Record<string, string> = {}) {
  harness = new DoubleHarness(fixture, env);
  const backend = harness.backend(poolSize, pool);
  return { backend, client: new InProcessRelayClient(backend, 'windows (pwsh double)') };
}

describe('pwsh pool', () => {
  it('runs 20 concurrent calls on exactly 2 processes', async () => {
    const { client, backend } = setup(2, {}, { PWSH_DOUBLE_COMMAND_MS: '20' });
    const nodes = ['HV01', 'HV02', 'HV03', 'HV04'];
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.call('host.migration-settings', { node: nodes[i % 4]! })));
    expect(results.every((r) => r.authenticationType === 'Kerberos')).toBe(true);
    expect(harness!.starts()).toBe(2);
    expect(backend.poolStats()).toMatchObject({ started: 2, alive: 2, queued: 0 });
    const pids = new Set(harness!.calls().map((c) => c.pid));
    expect(pids.size).toBe(2);
    expect(harness!.calls()).toHaveLength(20);
  });

  it('starts processes only when needed and reuses them for later calls', async () => {
    const { client } = setup(4);
    for (const node of ['HV01', 'HV02', 'HV03']) await client.call('host.vms', { node });
    expect(harness!.starts()).toBe(1);
  });

  it('replaces a process that crashes mid-command', async () => {
    const { client, backend } = setup(1);
    await client.call('host.vms', { node: 'HV01' });
    const e = await client.call('host.vms', { node: 'CRASH' }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(RelayError);
    expect(e).toMatchObject({ code: 'BACKEND_ERROR', message: expect.stringContaining('exited') });
    expect(await client.call('host.vms', { node: 'HV02' })).toEqual({ vms: [{ name: 'hv02-vm1', state: 'Running' }] });
    expect(harness!.starts()).toBe(2);
    const [first, , third] = harness!.calls();
    expect(third!.pid).not.toBe(first!.pid);
    expect(backend.poolStats()).toMatchObject({ started: 2, alive: 1, busy: 0, queued: 0 });
  });

  it('kills a process that overruns the timeout, and the queue moves on', async () => {
    const { client } = setup(1, { commandTimeoutMs: 1500 });
    const hung = client.call('host.vms', { node: 'HANG' }).catch((err: unknown) => err);
    const queued = client.call('host.vms', { node: 'HV01' });
    expect(await hung).toMatchObject({ code: 'TIMEOUT' });
    expect(await queued).toEqual({ vms: [{ name: 'hv01-vm1', state: 'Running' }] });
    expect(harness!.starts()).toBe(2);
  });

  it('refuses calls after close and leaves no process behind', async () => {
    const { client, backend } = setup(2);
    await client.call('host.vms', { node: 'HV01' });
    const pid = harness!.calls()[0]!.pid;
    await backend.close();
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(client.call('host.vms', { node: 'HV01' })).rejects.toMatchObject({ code: 'BACKEND_ERROR', message: expect.stringContaining('closed') });
  });

  it('in process-per-command mode (the benchmark baseline) starts one process per call', async () => {
    const { client } = setup(2, { processPerCommand: true });
    for (const node of ['HV01', 'HV02', 'HV03']) await client.call('host.vms', { node });
    expect(harness!.starts()).toBe(3);
  });

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

  it('cancels a queued call whose signal aborts before it runs', async () => {
    const { client } = setup(1, {}, { PWSH_DOUBLE_COMMAND_MS: '300' });
    const first = client.call('host.vms', { node: 'HV01' });
    const abort = new AbortController();
    const second = client.call('host.vms', { node: 'HV02' }, { signal: abort.signal }).catch((err: unknown) => err);
    abort.abort();
    expect(await second).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('cancelled') });
    await first;
    expect(harness!.calls().map((c) => c.params?.node)).toEqual(['HV01']);
  });
});
