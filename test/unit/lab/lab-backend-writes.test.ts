import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/kernel/clock.js';
import { runCheck } from '../../../src/diagnostics/run-check.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { RelayError } from '../../../src/relay/protocol.js';

// Writes change the lab state with compare-and-swap, so a re-check after a fix sees the fix,
// and a plan made on stale values writes nothing. Test migrations go through the engine.

const LAB = path.resolve(import.meta.dirname, '../../../lab');
const approval = `lab-test.${'a'.repeat(64)}`;
const MS = 'Microsoft Virtual System Migration Service';
const FULL = 0x1001000;

async function open(file: string) {
  const scenario = await loadScenario(path.join(LAB, file));
  const relay = new InProcessRelayClient(new LabBackend(scenario), `lab: ${file}`);
  const check = (nodes: string[]) => runCheck(relay, nodes, { clock: fixedClock(scenario.domain.now), eventWindowHours: 72 });
  return { relay, check };
}

async function failure(p: Promise<unknown>): Promise<RelayError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof RelayError)) throw new Error(`expected a RelayError, got ${String(err)}`);
  return err;
}

const hv02List = [`${MS}/HV01`, `${MS}/hv01.lab.test`, 'cifs/HV01', 'cifs/hv01.lab.test'];

describe('directory.apply-delegation', () => {
  it('applies the desired values, answers before/after, and a re-read and re-check see them', async () => {
    const { relay, check } = await open('delegation-kerberos-only.yaml');
    expect((await check(['HV01', 'HV02'])).diagnosis.verdict.status).toBe('blocked');
    const res = await relay.call('directory.apply-delegation', {
      changes: [
        {
          computer: 'HV02',
          // Same set in another order and case: multi-valued attributes are unordered.
          expected: { allowedToDelegateTo: [...hv02List].reverse().map((v) => v.replace(/\/.*$/, (host) => host.toUpperCase())), userAccountControl: 4096 },
          desired: { allowedToDelegateTo: hv02List, userAccountControl: FULL },
        },
      ],
      approval,
    });
    expect(res.applied).toEqual([
      {
        computer: 'HV02',
        before: { allowedToDelegateTo: hv02List, userAccountControl: 4096, allowedToActOnBehalfOf: [] },
        after: { allowedToDelegateTo: hv02List, userAccountControl: FULL, allowedToActOnBehalfOf: [] },
      },
    ]);
    const reread = await relay.call('directory.computers', { names: ['HV02'] });
    expect(reread.computers[0]).toMatchObject({ userAccountControl: FULL, allowedToDelegateTo: hv02List });
    const after = (await check(['HV01', 'HV02'])).diagnosis;
    expect(after.verdict.status).toBe('healthy');
  });

  it('writes nothing when any computer changed since the plan, and returns the current values', async () => {
    const { relay } = await open('default.yaml');
    const before = await relay.call('directory.computers', { names: ['HV01', 'HV02'] });
    const hv01 = before.computers[0]!;
    const err = await failure(
      relay.call('directory.apply-delegation', {
        changes: [
          {
            computer: 'HV01',
            expected: { allowedToDelegateTo: hv01.allowedToDelegateTo, userAccountControl: hv01.userAccountControl },
            desired: { allowedToDelegateTo: [...hv01.allowedToDelegateTo, `${MS}/hv03.lab.test`], userAccountControl: FULL },
          },
          {
            computer: 'HV02',
            expected: { allowedToDelegateTo: [], userAccountControl: 4096 }, // stale: HV02 has a list
            desired: { allowedToDelegateTo: [], userAccountControl: FULL },
          },
        ],
        approval,
      }),
    );
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/HV02 changed since the plan was made; nothing was written/);
    const current = (err.details as { current: Array<{ computer: string; userAccountControl: number; allowedToDelegateTo: string[] }> }).current;
    expect(current.map((c) => [c.computer, c.userAccountControl, c.allowedToDelegateTo.length])).toEqual([
      ['HV01', FULL, 11],
      ['HV02', 4096, 12],
    ]);
    const after = await relay.call('directory.computers', { names: ['HV01', 'HV02'] });
    expect(after.computers).toEqual(before.computers);
  });

  it('compares RBCD only when the plan states it, and writes it when desired', async () => {
    const { relay } = await open('healthy.yaml');
    const expected = { allowedToDelegateTo: hv02List, userAccountControl: FULL };
    const conflict = await failure(
      relay.call('directory.apply-delegation', {
        changes: [{ computer: 'HV02', expected: { ...expected, allowedToActOnBehalfOf: ['HV01'] }, desired: expected }],
        approval,
      }),
    );
    expect(conflict.code).toBe('CONFLICT');
    await relay.call('directory.apply-delegation', {
      changes: [{ computer: 'HV02', expected, desired: { ...expected, allowedToActOnBehalfOf: ['HV01'] } }],
      approval,
    });
    expect((await relay.call('directory.computers', { names: ['HV02'] })).computers[0]!.allowedToActOnBehalfOf).toEqual(['HV01']);
  });

  it('refuses unknown computers and an unreachable directory', async () => {
    const { relay } = await open('healthy.yaml');
    const change = { computer: 'HV09', expected: { allowedToDelegateTo: [], userAccountControl: 4096 }, desired: { allowedToDelegateTo: [], userAccountControl: FULL } };
    expect((await failure(relay.call('directory.apply-delegation', { changes: [change], approval }))).code).toBe('NOT_FOUND');
    const down = await open('directory-unreachable.yaml');
    const err = await failure(down.relay.call('directory.apply-delegation', { changes: [{ ...change, computer: 'HV01' }], approval }));
    expect(err.code).toBe('DIRECTORY_UNREACHABLE');
  });
});

describe('host writes', () => {
  it('set-migration-auth is compare-and-swap on the expected type', async () => {
    const { relay } = await open('migration-auth-credssp-credential-guard.yaml');
    const stale = await failure(relay.call('host.set-migration-auth', { node: 'HV01', expected: 'Kerberos', authenticationType: 'Kerberos', approval }));
    expect(stale.code).toBe('CONFLICT');
    expect(stale.details).toEqual({ current: 'CredSSP' });
    expect((await relay.call('host.migration-settings', { node: 'HV01' })).authenticationType).toBe('CredSSP');
    expect(await relay.call('host.set-migration-auth', { node: 'HV01', expected: 'CredSSP', authenticationType: 'Kerberos', approval })).toEqual({
      before: 'CredSSP',
      after: 'Kerberos',
    });
    expect((await relay.call('host.migration-settings', { node: 'HV01' })).authenticationType).toBe('Kerberos');
  });

  it('purge-tickets refuses an unreachable host', async () => {
    const { relay } = await open('node-unreachable.yaml');
    expect((await failure(relay.call('host.purge-tickets', { node: 'HV02', approval }))).code).toBe('HOST_UNREACHABLE');
    expect(await relay.call('host.purge-tickets', { node: 'HV01', approval })).toEqual({ purged: true });
  });
});

describe('vm.test-migration', () => {
  it('fails while the source holds stale tickets, logs a 21502, and succeeds after a purge', async () => {
    const { relay, check } = await open('lm-auth-failure-event.yaml');
    const before = (await relay.call('host.events', { node: 'HV01', sinceHours: 24 })).events.length;
    const failed = await relay.call('vm.test-migration', { vm: 'VM01', source: 'HV01', destination: 'HV02', approval });
    expect(failed.succeeded).toBe(false);
    expect(failed.events).toHaveLength(1);
    expect(failed.events[0]).toMatchObject({ log: 'Microsoft-Windows-Hyper-V-High-Availability-Admin', id: 21502, time: '2026-11-20T09:00:00.000Z' });
    expect(failed.events[0]!.message).toMatch(/Live migration of 'Virtual Machine VM01' failed\..*hv02\.lab\.test.*\(0x8009030E\)/s);
    const logged = (await relay.call('host.events', { node: 'HV01', sinceHours: 24 })).events;
    expect(logged).toHaveLength(before + 1);
    expect(logged[0]).toEqual(failed.events[0]);

    await relay.call('host.purge-tickets', { node: 'HV01', approval });
    const moved = await relay.call('vm.test-migration', { vm: 'VM01', source: 'HV01', destination: 'HV02', approval });
    expect(moved).toMatchObject({ succeeded: true, events: [], message: "Live migration of 'VM01' from HV01 to HV02 completed." });
    expect((await relay.call('host.vms', { node: 'HV02' })).vms.map((v) => v.name)).toEqual(['VM02', 'VM01']);
    expect((await relay.call('host.vms', { node: 'HV01' })).vms).toEqual([]);
    expect((await check(['HV01', 'HV02'])).diagnosis.verdict.status).toBe('degraded');
  });

  it('fails in a blocked direction and works in an ok one', async () => {
    const { relay, check } = await open('default.yaml');
    const blocked = await relay.call('vm.test-migration', { vm: 'SQL01', source: 'HV01', destination: 'HV03', approval });
    expect(blocked.succeeded).toBe(false);
    const ok = await relay.call('vm.test-migration', { vm: 'APP01', source: 'HV03', destination: 'HV01', approval });
    expect(ok.succeeded).toBe(true);
    const diag = (await check(['HV01', 'HV03'])).diagnosis;
    expect(diag.findings.filter((f) => f.code === 'LM_AUTH_FAILURE_EVENT').length).toBeGreaterThan(0);
  });

  it('refuses a VM that is not on the source, the same host twice, and an unreachable destination', async () => {
    const { relay } = await open('node-unreachable.yaml');
    expect((await failure(relay.call('vm.test-migration', { vm: 'VM02', source: 'HV01', destination: 'HV02', approval }))).code).toBe('HOST_UNREACHABLE');
    const healthy = await open('healthy.yaml');
    const missing = await failure(healthy.relay.call('vm.test-migration', { vm: 'VM02', source: 'HV01', destination: 'HV02', approval }));
    expect([missing.code, missing.message]).toEqual(['NOT_FOUND', 'HV01 has no VM named VM02']);
    const same = await failure(healthy.relay.call('vm.test-migration', { vm: 'VM01', source: 'HV01', destination: 'hv01.lab.test', approval }));
    expect(same.code).toBe('BAD_REQUEST');
  });
});
