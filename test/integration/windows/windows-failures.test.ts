import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { RelayError } from '../../../src/relay/protocol.js';
import { healthyCluster } from '../../../tools/pwsh-lab/fixtures.js';
import { JEA_DIR, PwshLab, READER_GROUP, SKIP_PWSH } from '../../../tools/pwsh-lab/lab.js';

// What the relay says when WinRM, JEA or the node fails, with real PowerShell: transport and
// access failures are HOST_UNREACHABLE with a message of our own (never Windows' text), what
// fails on the node is BACKEND_ERROR naming only a safe error id, text on stdout that is not the
// answer is BAD_RESPONSE; and the same PowerShell process keeps serving.

const APPROVAL = `${'a'.repeat(20)}.${'0'.repeat(64)}`;

async function failure(promise: Promise<unknown>): Promise<RelayError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(RelayError);
  return error as RelayError;
}

let lab: PwshLab;
let client: InProcessRelayClient;
beforeAll(() => {
  if (SKIP_PWSH) return;
  const hosts = healthyCluster(5);
  hosts[1]!.failure = 'access-denied';
  hosts[2]!.endpoints = ['HvLmDiag'];
  hosts[3]!.vmmsStopped = true;
  hosts[4]!.hostOutput = 'WARNING: the node printed this banner before the answer';
  lab = new PwshLab(hosts);
  client = new InProcessRelayClient(lab.backend(1), 'windows (real pwsh)');
}, 120_000);
afterAll(() => lab?.cleanup());

describe.skipIf(SKIP_PWSH)('remote failures', () => {
  it('an unknown host is HOST_UNREACHABLE with our own message, not WinRM text', async () => {
    const e = await failure(client.call('host.vms', { node: 'HV99' }));
    expect(e.code).toBe('HOST_UNREACHABLE');
    expect(e.message).toBe('HV99: could not connect over WinRM to the JEA endpoint HvLmDiag');
  });

  it('access denied by the endpoint is HOST_UNREACHABLE naming the endpoint', async () => {
    const e = await failure(client.call('host.purge-tickets', { node: 'HV02', approval: APPROVAL }));
    expect(e.code).toBe('HOST_UNREACHABLE');
    expect(e.message).toBe("HV02: access to the JEA endpoint HvLmFix was denied (is the relay's account in the role's group?)");
  });

  it('an endpoint that is not registered on the node says so', async () => {
    expect(await client.call('host.vms', { node: 'HV03' })).toMatchObject({ vms: [{ name: 'hv03-vm1', state: 'Running' }] });
    const e = await failure(client.call('host.purge-tickets', { node: 'HV03', approval: APPROVAL }));
    expect(e).toMatchObject({ code: 'HOST_UNREACHABLE', message: 'HV03: the JEA endpoint HvLmFix is not registered there (run manifests/jea/Register-TriageJea.ps1 on it)' });
    expect(lab.purges('HV03')).toEqual([]);
  });

  it('a cmdlet failing on the node is BACKEND_ERROR with its error id only', async () => {
    const e = await failure(client.call('host.vms', { node: 'HV04' }));
    expect(e.code).toBe('BACKEND_ERROR');
    expect(e.message).toBe('HV04: the JEA endpoint HvLmDiag could not run host.vms (ObjectNotFound)');
    expect(e.message).not.toContain('Management service');
  });

  it('text the node prints before the answer is BAD_RESPONSE, never a guess', async () => {
    const e = await failure(client.call('host.migration-settings', { node: 'HV05' }));
    expect(e).toMatchObject({ code: 'BAD_RESPONSE', message: 'PowerShell answered host.migration-settings with something that is not JSON' });
  });

  it('the same process still answers after all of the above', async () => {
    expect(await client.call('host.vms', { node: 'HV01' })).toMatchObject({ vms: [{ name: 'hv01-vm1', state: 'Running' }] });
    expect(lab.starts()).toBe(1);
  });
});

describe.skipIf(SKIP_PWSH)('a role that lacks what a script calls', () => {
  let broken: PwshLab;
  let jeaDir: string;
  afterAll(async () => {
    await broken?.cleanup();
    if (jeaDir) rmSync(jeaDir, { recursive: true, force: true });
  });

  it('is BACKEND_ERROR (CommandNotFoundException), as on a node whose role file is out of date', async () => {
    jeaDir = mkdtempSync(path.join(os.tmpdir(), 'jea-old-'));
    cpSync(JEA_DIR, jeaDir, { recursive: true });
    const reader = path.join(jeaDir, 'HvLmDiagReader.psrc');
    writeFileSync(reader, readFileSync(reader, 'utf8').replace("VisibleFunctions = 'Get-HvLmEvent', 'Get-TimeStatus', 'Get-HvLmClusterNode'", "VisibleFunctions = 'Get-HvLmEvent', 'Get-HvLmClusterNode'"));
    broken = new PwshLab(healthyCluster(1), { jeaDir, relayGroups: [READER_GROUP] });
    const c = new InProcessRelayClient(broken.backend(1), 'windows (real pwsh)');
    const e = await failure(c.call('host.security', { node: 'HV01' }));
    expect(e).toMatchObject({ code: 'BACKEND_ERROR', message: 'HV01: the JEA endpoint HvLmDiag could not run host.security (CommandNotFoundException)' });
  }, 120_000);
});
