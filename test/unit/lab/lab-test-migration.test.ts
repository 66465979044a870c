import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/kernel/clock.js';
import { runCheck } from '../../../src/diagnostics/run-check.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';

// The lab's test migration decides from the scenario's facts, never by asking the engine; so
// the two are independent witnesses, and on every shipped scenario they must agree: a direction
// the engine calls ok migrates, a blocked one fails. Two documented exceptions: stale tickets
// (invisible to any check; the test migration after a purge is how they show) and an initiator
// who cannot be delegated (the bot's own test migration is not started by that person).

const LAB = path.resolve(import.meta.dirname, '../../../lab');
const APPROVAL = `${'a'.repeat(10)}.${'0'.repeat(64)}`;
const files = readdirSync(LAB).filter((f) => f.endsWith('.yaml')).sort();

describe('lab test migration against the engine', () => {
  it.each(files)('%s: every judged direction migrates exactly when the engine says ok', async (file) => {
    const scenario = await loadScenario(path.join(LAB, file));
    const want = scenario.expect!;
    const { diagnosis } = await runCheck(new InProcessRelayClient(new LabBackend(scenario), file), want.nodes, { clock: fixedClock(scenario.domain.now), eventWindowHours: 72 });
    const compared: string[] = [];
    for (const d of diagnosis.directions) {
      if (d.status === 'unknown') continue;
      if (d.blockedBy.length > 0 && d.blockedBy.every((c) => c === 'INITIATOR_NOT_DELEGATABLE')) continue;
      const host = scenario.hosts.find((h) => h.name === d.from)!;
      if (host.ticketsStale || !host.reachable || host.vms.length === 0) continue;
      const backend = new LabBackend(scenario); // a success moves the VM: each direction starts from the scenario
      const result = await new InProcessRelayClient(backend, file).call('vm.test-migration', { vm: host.vms[0]!.name, source: d.from, destination: d.to, approval: APPROVAL });
      expect(result.succeeded, `${d.from} → ${d.to}: engine ${d.status} ${d.blockedBy.join(',')}; lab: ${result.message}`).toBe(d.status === 'ok');
      compared.push(`${d.from}→${d.to}`);
    }
    if (!['directory-unreachable.yaml', 'node-unreachable.yaml', 'initiator-not-delegatable.yaml', 'initiator-unknown.yaml'].includes(file)) expect(compared.length).toBeGreaterThan(0);
  });

  it('fails a refused logon at the destination, and the next check blames the logon right on that node', async () => {
    const scenario = await loadScenario(path.join(LAB, 'logon-right-missing.yaml'));
    scenario.hosts[0]!.events = [];
    const backend = new LabBackend(scenario);
    const relay = new InProcessRelayClient(backend, 'logon');
    const result = await relay.call('vm.test-migration', { vm: 'VM01', source: 'HV01', destination: 'HV02', approval: APPROVAL });
    expect(result).toMatchObject({ succeeded: false, message: "Live migration of 'VM01' from HV01 to HV02 failed (0x80070569)." });
    const { diagnosis } = await runCheck(relay, ['HV01', 'HV02'], { clock: fixedClock(scenario.domain.now), eventWindowHours: 72 });
    expect(diagnosis.findings.map((f) => [f.code, f.node])).toEqual([['LOGON_RIGHT_MISSING', 'HV02']]);
  });
});

// Issue 19: the two kinds of test move. remote-initiated (Move-VM -ComputerName <source> from the
// relay host) needs the source's delegation to the destination; a cluster move does not.
describe('lab test migration modes', () => {
  const move = async (file: string, params: { vm: string; source: string; destination: string; mode?: 'remote-initiated' | 'cluster' }, edit?: (s: Awaited<ReturnType<typeof loadScenario>>) => void) => {
    const scenario = await loadScenario(path.join(LAB, file));
    edit?.(scenario);
    return new InProcessRelayClient(new LabBackend(scenario), file).call('vm.test-migration', { ...params, approval: APPROVAL });
  };

  it('remote-initiated fails where the source may not delegate to the destination, and says which move it made', async () => {
    const result = await move('delegation-missing-migration-service.yaml', { vm: 'VM01', source: 'HV01', destination: 'HV02', mode: 'remote-initiated' });
    expect(result).toMatchObject({ mode: 'remote-initiated', succeeded: false, message: "Live migration of 'VM01' from HV01 to HV02 failed (0x8009030E)." });
    expect(result.events.map((e) => e.id)).toEqual([21502]);
  });

  it('near miss: remote-initiated the other way, where the delegation is complete, migrates', async () => {
    const result = await move('delegation-missing-migration-service.yaml', { vm: 'VM02', source: 'HV02', destination: 'HV01', mode: 'remote-initiated' });
    expect(result).toMatchObject({ mode: 'remote-initiated', succeeded: true });
  });

  it('a cluster move of the same VM in the same direction needs no KCD and migrates', async () => {
    const result = await move('delegation-missing-migration-service.yaml', { vm: 'VM01', source: 'HV01', destination: 'HV02', mode: 'cluster' });
    expect(result).toMatchObject({ mode: 'cluster', succeeded: true });
  });

  it('a cluster move still fails when the destination has no migration SPN', async () => {
    const result = await move('spn-missing.yaml', { vm: 'VM01', source: 'HV01', destination: 'HV02', mode: 'cluster' });
    expect(result).toMatchObject({ mode: 'cluster', succeeded: false });
  });

  it('CredSSP without Credential Guard works on the source but not remote-initiated (no sign-in on the source to delegate)', async () => {
    const onSource = await move('migration-auth-credssp.yaml', { vm: 'VM01', source: 'HV01', destination: 'HV02' });
    expect(onSource.succeeded).toBe(true);
    expect(onSource.mode).toBeUndefined();
    const offBox = await move('migration-auth-credssp.yaml', { vm: 'VM01', source: 'HV01', destination: 'HV02', mode: 'remote-initiated' });
    expect(offBox).toMatchObject({ mode: 'remote-initiated', succeeded: false, message: "Live migration of 'VM01' from HV01 to HV02 failed (0x8009030E)." });
  });

  it('refuses a cluster move of a VM that is not a cluster role, moving nothing', async () => {
    await expect(
      move('delegation-missing-migration-service.yaml', { vm: 'VM01', source: 'HV01', destination: 'HV02', mode: 'cluster' }, (s) => {
        s.hosts[0]!.vms[0]!.clustered = false;
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});
