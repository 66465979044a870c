import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/kernel/clock.js';
import { mintApprovalToken } from '../../../src/relay/approval-token.js';
import { HttpRelayClient } from '../../../src/relay/client.js';
import { startRelayServer, type RunningRelay } from '../../../src/relay/server/start-relay-server.js';
import { healthyCluster } from '../../../tools/pwsh-lab/fixtures.js';
import { PwshLab, SKIP_PWSH } from '../../../tools/pwsh-lab/lab.js';

// The whole path as deployed: signed HTTP request → triage-relay → windows backend →
// node-powershell → PowerShell 7 → (emulated WinRM) the node's JEA endpoint, and back. Writes need an approval token, which stays
// on the relay: the host sees only the operation's own parameters.

const SECRET = 'k'.repeat(64);
const APPROVAL_KEY = 'a'.repeat(64);
let harness: PwshLab;
let relay: RunningRelay;
let client: HttpRelayClient;
let auditFile: string;

beforeAll(async () => {
  if (SKIP_PWSH) return;
  harness = new PwshLab(healthyCluster(3));
  auditFile = path.join(harness.dir, 'audit.jsonl');
  relay = await startRelayServer({
    backend: harness.backend(2),
    keys: { bot: SECRET },
    host: '127.0.0.1',
    port: 0,
    writesEnabled: true,
    approvalKey: APPROVAL_KEY,
    audit: auditFile,
  });
  client = new HttpRelayClient({ url: relay.url, keyId: 'bot', secret: SECRET, timeoutMs: 60_000 });
}, 120_000);
afterAll(async () => {
  await relay?.close();
  await harness?.cleanup();
});

describe.skipIf(SKIP_PWSH)('windows backend behind the signed relay', () => {
  it('answers reads from the host through its script', async () => {
    expect(await client.call('host.security', { node: 'HV02' })).toEqual({
      os: 'Microsoft Windows Server 2025 Datacenter',
      credentialGuardRunning: true,
      credentialGuardConfigured: true,
      clockOffsetSeconds: 0,
      addresses: ['10.0.0.12'],
    });
    expect(harness.calls().slice(-5).map((c) => [c.computerName, c.configurationName, c.commands?.[0]?.name])).toEqual([
      ['HV02', 'HvLmDiag', 'Get-CimInstance'],
      ['HV02', 'HvLmDiag', 'Get-CimInstance'],
      ['HV02', 'HvLmDiag', 'Get-TimeStatus'],
      ['HV02', 'HvLmDiag', 'Get-CimInstance'],
      ['HV02', 'HvLmDiag', 'Get-CimInstance'],
    ]);
  });

  it('runs an approved write once, without the token reaching the host, and refuses a replay', async () => {
    const params = { node: 'HV01' };
    const approval = mintApprovalToken({ key: APPROVAL_KEY, id: 'appr-1', op: 'host.purge-tickets', params, ttlSeconds: 300, clock: systemClock });
    expect(await client.call('host.purge-tickets', { ...params, approval })).toEqual({ purged: true });
    const writes = () => harness.calls().filter((c) => c.configurationName === 'HvLmFix');
    expect(writes()).toEqual([{ computerName: 'HV01', configurationName: 'HvLmFix', commands: [{ name: 'Clear-HvLmMachineTicket', parameters: [] }], script: null }]);
    expect(harness.purges('HV01')).toHaveLength(1);
    await expect(client.call('host.purge-tickets', { ...params, approval })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(writes()).toHaveLength(1);
    expect(harness.purges('HV01')).toHaveLength(1);
  });

  it('passes HOST_UNREACHABLE through with the backend message', async () => {
    await expect(client.call('host.vms', { node: 'HV77' })).rejects.toMatchObject({
      code: 'HOST_UNREACHABLE',
      message: expect.stringContaining('HV77: could not connect over WinRM to the JEA endpoint HvLmDiag'),
    });
  });

  it('audits every request, the approval id included', () => {
    const lines = readFileSync(auditFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.operation ?? l.op)).toEqual(expect.arrayContaining(['host.security', 'host.purge-tickets', 'host.vms']));
    expect(JSON.stringify(lines)).toContain('appr-1');
  });
});
