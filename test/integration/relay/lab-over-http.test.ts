import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/kernel/clock.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario } from '../../../src/lab/load.js';
import { mintApprovalToken } from '../../../src/relay/approval-token.js';
import { HttpRelayClient } from '../../../src/relay/client.js';
import { RelayError } from '../../../src/relay/protocol.js';
import { randomRelaySecret } from '../../../src/relay/signing.js';
import { startRelayServer, type RunningRelay } from '../../../src/relay/server/start-relay-server.js';
import { tempDir } from './harness.js';
import { silentLogger } from '../../../src/kernel/logger.js';

// The whole stack as the bot's lab mode runs it: the lab backend behind the signed HTTP relay,
// called through the HTTP client. Reads match the backend's own answers; a compare-and-swap
// miss comes back as CONFLICT with the current value; an approved write changes the lab state.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const secret = randomRelaySecret();
const approvalKey = randomRelaySecret();
const clock = fixedClock(new Date());
let relay: RunningRelay;
let lab: LabBackend;
let client: HttpRelayClient;

beforeAll(async () => {
  lab = new LabBackend(await loadScenario(path.join(ROOT, 'lab/default.yaml')), { latency: { hostMs: 0, directoryMs: 0 } });
  relay = await startRelayServer({ backend: lab, keys: { lab: secret }, writesEnabled: true, approvalKey, audit: path.join(tempDir(), 'audit.jsonl'), clock, logger: silentLogger });
  client = new HttpRelayClient({ url: relay.url, keyId: 'lab', secret, clock });
});
afterAll(async () => {
  client.close();
  await relay.close();
});

const approve = (op: 'host.set-migration-auth', params: Record<string, unknown>): string =>
  mintApprovalToken({ key: approvalKey, id: 'apr-lab', op, params, ttlSeconds: 300, clock });

describe('lab backend over the signed HTTP protocol', () => {
  it('answers reads as the backend itself does', async () => {
    const direct = await new LabBackend(await loadScenario(path.join(ROOT, 'lab/default.yaml'))).handle('directory.computers', { names: ['HV01', 'HV02', 'NOPE01'] }, {});
    await expect(client.call('directory.computers', { names: ['HV01', 'HV02', 'NOPE01'] })).resolves.toEqual(direct);
    await expect(client.call('cluster.nodes', { cluster: 'HVCLUSTER01' })).resolves.toEqual({ cluster: 'HVCLUSTER01', nodes: ['HV01', 'HV02', 'HV03', 'HV04'] });
  });

  it('returns a compare-and-swap miss as CONFLICT with the current value, and applies a matching plan', async () => {
    const current = (await client.call('host.migration-settings', { node: 'HV01' })).authenticationType;
    const other = current === 'Kerberos' ? 'CredSSP' : 'Kerberos';
    const stale = { node: 'HV01', expected: other, authenticationType: current } as const;
    const e = await client.call('host.set-migration-auth', { ...stale, approval: approve('host.set-migration-auth', stale) }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(RelayError);
    expect(e).toMatchObject({ code: 'CONFLICT', details: { current } });

    const plan = { node: 'HV01', expected: current, authenticationType: other } as const;
    await expect(client.call('host.set-migration-auth', { ...plan, approval: approve('host.set-migration-auth', plan) })).resolves.toEqual({ before: current, after: other });
    await expect(client.call('host.migration-settings', { node: 'HV01' })).resolves.toMatchObject({ authenticationType: other });
  });
});
