import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateClusterScenario } from '../../../src/lab/generate.js';
import { HttpRelayClient } from '../../../src/relay/client.js';
import { MIGRATION_SERVICE } from '../../../src/relay/protocol.js';
import { openStore } from '../../../src/store/open-store.js';
import type { Store } from '../../../src/store/store.js';
import { sambaRelayEnv, useSamba } from '../../helpers/samba-context.js';
import { createComputer, delegation, type SambaConnection } from '../../helpers/samba.js';

// Fault 1 of issue 16, with real processes: a bot replica is killed (-9) after the AD write,
// while the host step (HVK04 CredSSP → Kerberos) is in flight at the relay. The plan must not
// settle as Applied from the AD values alone: a restarted replica takes the expired lease over,
// resumes from the step journal and what AD and the hosts hold, and says Applied only once every
// step is verified. Asserted from the Samba directory, the hosts' state (read through the relay),
// the bot's audit trail, the relay's audit log and the card the channel shows.
// This file owns the computers HVK01–HVK04.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const NODES = ['HVK01', 'HVK02', 'HVK03', 'HVK04'];
/** The second test's cluster half: HVK08 on CredSSP. */
const NODES_B = ['HVK05', 'HVK06', 'HVK07', 'HVK08'];
/** The SIGTERM test's nodes: HVK12 on CredSSP. */
const NODES_C = ['HVK09', 'HVK10', 'HVK11', 'HVK12'];
const SECRET = randomBytes(32).toString('hex');
const APPROVAL_KEY = randomBytes(32).toString('hex');
const children: ChildProcess[] = [];

let samba: SambaConnection;
let dir: string;
let relayUrl: string;
let relayChild: ChildProcess;
let relayAudit: string;

interface Proc {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
}

function run(entry: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, entry, { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

// The applying replica's lease lives 15 s (a process start takes 1–3 s on a busy machine).
const worker = (mode: 'approve' | 'recover', storeFile: string, extra: Record<string, string> = {}) =>
  run([path.join(ROOT, 'bin/run-ts.mjs'), path.join(ROOT, 'test/fixtures/process/apply-worker.ts')], {
    MODE: mode, STORE_FILE: storeFile, RELAY_URL: relayUrl, RELAY_SECRET: SECRET, APPROVAL_KEY, NODES: NODES.join(','), LEASE_MS: mode === 'approve' ? '15000' : '2000', ...extra,
  });

beforeAll(async () => {
  samba = useSamba();
  for (const name of [...NODES, ...NODES_B, ...NODES_C]) {
    await createComputer(samba, name, { spns: [`${MIGRATION_SERVICE}/${name}`, `${MIGRATION_SERVICE}/${name.toLowerCase()}.lab.test`], userAccountControl: 0x1000, supportedEncryptionTypes: 0x1c });
  }
  dir = mkdtempSync(path.join(tmpdir(), 'fault-injection-'));
  // Hosts from a lab cluster (HVK04 still on CredSSP), AD from Samba; host operations take 500 ms,
  // so the kill lands while the host step is in flight.
  const scenario = generateClusterScenario({ nodes: 12, prefix: 'HVK' });
  for (const name of ['HVK04', 'HVK08', 'HVK12']) scenario.hosts.find((h) => h.name === name)!.migration.authenticationType = 'CredSSP';
  const file = path.join(dir, 'hvk.yaml');
  writeFileSync(file, stringify({ ...scenario, latency: { hostMs: 500, directoryMs: 0 } }));
  relayAudit = path.join(dir, 'relay-audit.jsonl');
  const relay = run([path.join(ROOT, 'bin/triage-relay.mjs')], {
    RELAY_KEYS: `bot:${SECRET}`, RELAY_PORT: '0', RELAY_BACKEND: 'lab-directory', LAB_SCENARIO: file, RELAY_WRITES_ENABLED: 'true', RELAY_APPROVAL_KEY: APPROVAL_KEY, RELAY_AUDIT_LOG: relayAudit, ...sambaRelayEnv(samba),
  });
  relayChild = relay.child;
  relayUrl = await until('the relay to listen', () => /listening on (http:\/\/\S+)/.exec(relay.out())?.[1] ?? (relay.child.exitCode !== null ? (() => { throw new Error(relay.err()); })() : undefined));
}, 120_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

const relayLines = () => readFileSync(relayAudit, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { operation: string; outcome: string; approvalId: string | null; reason?: string; errorCode?: string | null });

describe('fault 1: kill -9 during the host step, after the AD write', { timeout: 180_000 }, () => {
  it('is not settled as Applied until a restarted replica has resumed and verified every step', async () => {
    const storeFile = path.join(dir, 'bot.db');
    const opened: Store = await openStore(`sqlite:${storeFile}`);
    const approve = worker('approve', storeFile);
    const planId = await until('the plan id', () => /PLAN (pl_\w+)/.exec(approve.out())?.[1]);
    // The moment the host step is journaled as started (the AD step is journaled ok before it): kill -9.
    const hostStep = await until('the host step to start', async () => (await opened.listSteps(planId)).find((s) => s.stepKey === 'host.set-migration-auth:HVK04'));
    approve.child.kill('SIGKILL');
    await approve.exit;
    expect(hostStep.state).toBe('started');

    // What the world holds now: AD written, the plan still applying (never "Applied" from AD alone).
    const journal = await opened.listSteps(planId);
    expect(journal.map((s) => [s.stepKey, s.state])).toEqual([['directory.apply-delegation', 'ok'], ['host.set-migration-auth:HVK04', 'started']]);
    expect((await opened.getPlan(planId))!.state).toBe('applying');
    const [hvk01] = await Promise.all([delegation.show(samba, 'HVK01$')]);
    expect(hvk01!.trustedToAuthForDelegation).toBe(true);
    expect(hvk01!.allowedToDelegateTo).toContain(`${MIGRATION_SERVICE}/HVK02`);

    // A second replica started at once finds the lease still live and leaves the plan alone.
    const early = worker('recover', storeFile);
    expect(await early.exit, early.err()).toBe(0);
    expect((await opened.getPlanLease(planId))!.expiresAt.getTime()).toBeGreaterThan(Date.now());
    expect(early.out()).not.toContain('CARD');
    expect((await opened.getPlan(planId))!.state).toBe('applying');

    // Once the lease has expired, a restarted replica takes over and resumes.
    const lease = (await opened.getPlanLease(planId))!;
    await until('the lease to expire', () => (Date.now() > lease.expiresAt.getTime() + 50 ? true : undefined), 25_000);
    const recover = worker('recover', storeFile);
    expect(await recover.exit, recover.err()).toBe(0);
    const card = JSON.parse(/CARD (.*)/.exec(recover.out())![1]!) as string;

    const plan = (await opened.getPlan(planId))!;
    expect(plan.state).toBe('applied');
    expect(card).toMatch(/Applied \(approved by adam\)\./);
    expect(card).toMatch(/On restart, the steps were resumed from the journal and every step is verified\./);
    expect(card).toMatch(/✓ directory\.apply-delegation HVK01, HVK02, HVK03, HVK04 \(verified\)/);
    expect(card).toMatch(/✓ host\.set-migration-auth HVK04 \(verified/);
    expect(card.match(/^✓ host\.purge-tickets HVK0\d/gm)).toHaveLength(4);

    // The hosts and the directory, read back independently of the bot.
    const client = new HttpRelayClient({ url: relayUrl, keyId: 'bot', secret: SECRET });
    expect((await client.call('host.migration-settings', { node: 'HVK04' })).authenticationType).toBe('Kerberos');
    client.close();
    const hvk04 = await delegation.show(samba, 'HVK04$');
    expect(hvk04.trustedToAuthForDelegation).toBe(true);
    expect(hvk04.allowedToDelegateTo).toContain(`${MIGRATION_SERVICE}/HVK01`);

    // Both audit trails: AD written exactly once (never re-applied), and the bot's trail ends with
    // recovery's Applied only after the host step and the purges the relay also recorded.
    const relayWrites = relayLines().filter((l) => l.approvalId === planId);
    // Written once: its `started` line before the write, its outcome after (the relay's audit fails closed).
    expect(relayWrites.filter((l) => l.operation === 'directory.apply-delegation').map((l) => l.outcome)).toEqual(['started', 'ok']);
    expect(relayWrites.filter((l) => l.operation === 'host.purge-tickets' && l.outcome === 'ok')).toHaveLength(4);
    expect(relayWrites.some((l) => l.operation === 'host.set-migration-auth' && l.outcome === 'ok')).toBe(true);
    const trail = await opened.listAudit({ subjectId: planId });
    expect(trail.filter((e) => e.action === 'relay.apply-delegation').map((e) => e.outcome)).toEqual(['ok']);
    expect(trail.filter((e) => e.action === 'relay.purge-tickets' && e.outcome === 'ok')).toHaveLength(4);
    expect(trail.at(-1)).toMatchObject({ actor: 'system', action: 'plan.recovered', outcome: 'applied' });
    expect(trail.findIndex((e) => e.action === 'plan.recovered')).toBeGreaterThan(trail.findLastIndex((e) => e.action.startsWith('relay.')));
    await opened.close();
  });
});

describe('fault 3: the relay is frozen (SIGSTOP) during the host step, then resumes (SIGCONT)', { timeout: 180_000 }, () => {
  it('never writes after the bot gave up; the bot says "in doubt", not failed or applied, and recovery settles it from what is read back', async () => {
    const storeFile = path.join(dir, 'bot-b.db');
    const opened: Store = await openStore(`sqlite:${storeFile}`);
    const approve = worker('approve', storeFile, { NODES: NODES_B.join(','), RELAY_TIMEOUT_MS: '3000' });
    const planId = await until('the plan id', () => /PLAN (pl_\w+)/.exec(approve.out())?.[1]);
    await until('the host step to start', async () => (await opened.listSteps(planId)).find((s) => s.stepKey === 'host.set-migration-auth:HVK08'));
    relayChild.kill('SIGSTOP');
    try {
      // The bot times out, cannot read HVK08 back either, and says so instead of guessing.
      expect(await approve.exit, approve.err()).toBe(0);
      const card = JSON.parse(/CARD (.*)/.exec(approve.out())![1]!) as string;
      expect(card).toMatch(/Approved by adam; applying… The relay did not answer host\.set-migration-auth HVK08 \(.*\), and it could not be read back\. Nothing is reported as done or failed until it is read back/);
      expect(card).toContain('? host.set-migration-auth HVK08 (no answer recorded)');
      expect((await opened.getPlan(planId))!.state).toBe('applying');
      const bot = await opened.listAudit({ subjectId: planId });
      expect(bot.filter((e) => e.action === 'relay.set-migration-auth').map((e) => e.outcome)).toEqual(['unknown']);
      // Frozen well past every deadline the bot sent.
      await new Promise((r) => setTimeout(r, 2500));
    } finally {
      relayChild.kill('SIGCONT');
    }
    // Resumed, the relay works through what queued while it was frozen: it must not write it.
    const client = new HttpRelayClient({ url: relayUrl, keyId: 'bot', secret: SECRET });
    await until('the relay to answer again', async () => (await client.call('host.migration-settings', { node: 'HVK08' }).catch(() => undefined)));
    await new Promise((r) => setTimeout(r, 1000));
    expect((await client.call('host.migration-settings', { node: 'HVK08' })).authenticationType).toBe('CredSSP');
    // A request refused for its deadline is refused before its approval token is looked at (the
    // token stays unspent), so its line carries no approval id: it is found by its reason.
    const stale = relayLines().filter((l) => l.operation === 'host.set-migration-auth' && (l.approvalId === planId || l.reason === 'deadline_passed'));
    expect(stale.map((l) => l.outcome)).not.toContain('ok');
    expect(stale.some((l) => l.reason === 'deadline_passed' || l.errorCode === 'TIMEOUT')).toBe(true);

    // Recovery (the lease was let go) reads HVK08 back, runs the step again and settles.
    const recover = worker('recover', storeFile, { NODES: NODES_B.join(',') });
    expect(await recover.exit, recover.err()).toBe(0);
    const settled = JSON.parse(/CARD (.*)/.exec(recover.out())![1]!) as string;
    expect(settled).toMatch(/Applied \(approved by adam\)\./);
    expect(settled).toContain('✓ host.set-migration-auth HVK08 (verified, 2 attempts)');
    expect((await client.call('host.migration-settings', { node: 'HVK08' })).authenticationType).toBe('Kerberos');
    client.close();
    // The two trails agree: one write of HVK08 at the relay, and it is the one the bot recorded ok.
    const writes = relayLines().filter((l) => l.approvalId === planId && l.operation === 'host.set-migration-auth' && l.outcome === 'ok');
    expect(writes).toHaveLength(1);
    const botOk = (await opened.listAudit({ subjectId: planId })).filter((e) => e.action === 'relay.set-migration-auth' && e.outcome === 'ok');
    expect(botOk.map((e) => (e.details as { idempotencyKey: string }).idempotencyKey)).toEqual([`${planId}:host.set-migration-auth:HVK08:2`]);
    expect((await opened.getPlan(planId))!.state).toBe('applied');
    await opened.close();
  });
});

describe('SIGTERM during an apply', { timeout: 180_000 }, () => {
  it('lets the apply in flight finish and verify every step before the process exits 0', async () => {
    const storeFile = path.join(dir, 'bot-c.db');
    const opened: Store = await openStore(`sqlite:${storeFile}`);
    const approve = worker('approve', storeFile, { NODES: NODES_C.join(','), DRAIN_MS: '30000' });
    const planId = await until('the plan id', () => /PLAN (pl_\w+)/.exec(approve.out())?.[1]);
    await until('the host step to start', async () => (await opened.listSteps(planId)).find((s) => s.stepKey === 'host.set-migration-auth:HVK12'));
    approve.child.kill('SIGTERM');
    expect(await approve.exit, approve.err()).toBe(0);
    expect(approve.out()).toContain('DRAINED');
    const plan = (await opened.getPlan(planId))!;
    expect(plan.state).toBe('applied');
    expect((await opened.listSteps(planId)).map((s) => [s.stepKey, s.state])).toEqual([
      ['directory.apply-delegation', 'verified'],
      ['host.set-migration-auth:HVK12', 'verified'],
      ...NODES_C.map((n) => [`host.purge-tickets:${n}`, 'ok']),
    ]);
    const client = new HttpRelayClient({ url: relayUrl, keyId: 'bot', secret: SECRET });
    expect((await client.call('host.migration-settings', { node: 'HVK12' })).authenticationType).toBe('Kerberos');
    client.close();
    expect((await opened.getPlanLease(planId))!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now());
    await opened.close();
  });
});
