import { existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock, systemClock } from '../../../src/kernel/clock.js';
import { encodeApprovalToken, mintApprovalToken } from '../../../src/relay/approval-token.js';
import type { OperationName } from '../../../src/relay/protocol.js';
import { REFUSAL_REASONS } from '../../../src/relay/server/refusal.js';
import { REJECTION_REASONS, signRequest } from '../../../src/relay/signing.js';
import { rawPost, tempDir, type RawAnswer } from './harness.js';
import { ROOT, secret, spawnRelay, startRelayProcess, type RelayProcess } from './relay-process.js';

// Issue 17 from outside: each relay here is its own `triage-relay` process on the lab backend,
// configured through its environment, and is attacked over HTTP only. What is asserted is what
// a caller gets back, what the relay's files hold, and what the lab's AD and hosts hold after.

const SCENARIO = path.join(ROOT, 'lab/default.yaml');
const BOT = { keyId: 'bot', secret: secret() };
const MONITOR = { keyId: 'monitor', secret: secret() };
const B2 = { keyId: 'tenant-b', secret: secret() };
const APPROVAL_KEY = secret();
const auditFiles: string[] = [];
const relays: RelayProcess[] = [];

afterAll(async () => {
  await Promise.all(relays.map((r) => r.stop()));
});

async function relay(env: Record<string, string>): Promise<{ r: RelayProcess; audit: string }> {
  const audit = path.join(tempDir('relay-hardening-'), 'audit.jsonl');
  auditFiles.push(audit);
  const r = await startRelayProcess({ LAB_SCENARIO: SCENARIO, RELAY_AUDIT_LOG: audit, ...env });
  relays.push(r);
  return { r, audit };
}

type Key = { keyId: string; secret: string };

function signed(url: string, op: string, body: string, key: Key = BOT, at = systemClock): Promise<RawAnswer> {
  const p = `/v1/ops/${op}`;
  return rawPost(url, p, body, signRequest({ ...key, method: 'POST', path: p, body, clock: at }));
}

const call = (url: string, op: string, params: unknown, key: Key = BOT): Promise<RawAnswer> => signed(url, op, JSON.stringify(params), key);

function token(op: OperationName, params: Record<string, unknown>, id: string): string {
  return mintApprovalToken({ key: APPROVAL_KEY, id, op, params, ttlSeconds: 600, clock: systemClock });
}

function lines(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Waits for the start of a second, so a request signed now reaches the relay in that same second. */
async function startOfSecond(): Promise<number> {
  while (Date.now() % 1000 > 50) await new Promise((r) => setTimeout(r, 5));
  return Math.floor(Date.now() / 1000);
}

const at = (unixSeconds: number) => fixedClock(new Date(unixSeconds * 1000).toISOString());

describe('relay hardening, attacked from outside (issue 17)', { timeout: 120_000 }, () => {
  let main: { r: RelayProcess; audit: string };

  beforeAll(async () => {
    main = await relay({
      RELAY_KEYS: `${BOT.keyId}:${BOT.secret}:write,${MONITOR.keyId}:${MONITOR.secret}:read`,
      RELAY_WRITES_ENABLED: 'true',
      RELAY_APPROVAL_KEY: APPROVAL_KEY,
      // A short window, so the edge of it comes within a test's time.
      RELAY_SKEW_SECONDS: '2',
      RELAY_FUTURE_SKEW_SECONDS: '1',
      // The replay bursts below are hundreds of refusals from one address: keep them all 401 and on record.
      RELAY_UNAUTH_PER_MINUTE: '100000',
      RELAY_AUDIT_UNAUTH_PER_MINUTE: '100000',
      RELAY_NONCES_PER_KEY: '1000000',
    });
  });

  describe('1. no replay at the window\'s edge', () => {
    /** Replays `headers` in concurrent bursts until the timestamp alone is refused; returns every status. */
    async function replayUntilStale(url: string, body: string, headers: Record<string, string>): Promise<RawAnswer[]> {
      const answers: RawAnswer[] = [];
      const until = Date.now() + 8000;
      while (Date.now() < until) {
        const burst = await Promise.all(Array.from({ length: 10 }, () => rawPost(url, '/v1/ops/host.security', body, headers)));
        answers.push(...burst);
        if (burst.every((a) => a.status === 401 && /behind the relay's clock/.test(a.json.error?.message ?? ''))) return answers;
        await new Promise((r) => setTimeout(r, 40));
      }
      throw new Error('the request never went stale');
    }

    it('a request signed at exactly now − RELAY_SKEW_SECONDS is accepted once, however often it is replayed concurrently in that last second', async () => {
      const body = JSON.stringify({ node: 'HV01' });
      const now = await startOfSecond();
      const headers = signRequest({ ...BOT, method: 'POST', path: '/v1/ops/host.security', body, clock: at(now - 2) });
      const first = await Promise.all(Array.from({ length: 20 }, () => rawPost(main.r.url, '/v1/ops/host.security', body, headers)));
      const rest = await replayUntilStale(main.r.url, body, headers);
      const all = [...first, ...rest];
      expect(all.filter((a) => a.status === 200)).toHaveLength(1);
      expect(first.filter((a) => a.status === 200)).toHaveLength(1);
      expect(new Set(all.filter((a) => a.status !== 200).map((a) => a.json.error?.message))).toEqual(
        new Set(['request not authenticated: nonce was already used', "request not authenticated: timestamp is more than 2 s behind the relay's clock"]),
      );
    });

    it('a request signed at the future limit is accepted once, and stays refused until it goes stale', async () => {
      const body = JSON.stringify({ node: 'HV02' });
      const now = await startOfSecond();
      const headers = signRequest({ ...BOT, method: 'POST', path: '/v1/ops/host.security', body, clock: at(now + 1) });
      const all = [...(await Promise.all(Array.from({ length: 20 }, () => rawPost(main.r.url, '/v1/ops/host.security', body, headers)))), ...(await replayUntilStale(main.r.url, body, headers))];
      expect(all.filter((a) => a.status === 200)).toHaveLength(1);
      // It went stale only after now + 1 + 2 s: the nonce was held across the whole life of its timestamp.
      expect(Date.now() / 1000).toBeGreaterThanOrEqual(now + 4);
    });

    it('refuses a timestamp beyond RELAY_FUTURE_SKEW_SECONDS, and accepts one at it', async () => {
      const body = JSON.stringify({ node: 'HV03' });
      const now = await startOfSecond();
      const ahead = await signed(main.r.url, 'host.security', body, BOT, at(now + 2));
      expect(ahead.status).toBe(401);
      expect(ahead.json.error?.message).toBe("request not authenticated: timestamp is more than 1 s ahead of the relay's clock");
      expect((await signed(main.r.url, 'host.security', body, BOT, at(now + 1))).status).toBe(200);
    });
  });

  describe('5. key scopes', () => {
    const params = { node: 'HV04', expected: 'CredSSP', authenticationType: 'Kerberos' };
    // A token with a forged MAC: for a write key this is refused by the token check.
    const forged = encodeApprovalToken('not-the-approval-key-'.repeat(3), { id: 'apr-forged-1', op: 'host.set-migration-auth', planHash: 'a'.repeat(64), exp: Math.floor(Date.now() / 1000) + 600, jti: 'f'.repeat(32) });

    it('a read-only key\'s write is 403 before any token check; its reads pass; the write key reaches the token check', async () => {
      const read = await call(main.r.url, 'host.migration-settings', { node: 'HV04' }, MONITOR);
      expect(read.status).toBe(200);
      const write = await call(main.r.url, 'host.set-migration-auth', { ...params, approval: forged }, MONITOR);
      expect(write.status).toBe(403);
      expect(write.json.error?.message).toBe('key monitor may only read (RELAY_KEYS scope read); host.set-migration-auth is a write; nothing was changed');
      const withWriteKey = await call(main.r.url, 'host.set-migration-auth', { ...params, approval: forged }, BOT);
      expect(withWriteKey.status).toBe(403);
      expect(withWriteKey.json.error?.message).toBe('approval token refused: bad signature');
      // Even a valid token does not help a read key.
      const valid = await call(main.r.url, 'host.set-migration-auth', { ...params, approval: token('host.set-migration-auth', params, 'apr-scope') }, MONITOR);
      expect(valid.status).toBe(403);
      expect((await call(main.r.url, 'host.migration-settings', { node: 'HV04' }, MONITOR)).json.result).toMatchObject({ authenticationType: 'CredSSP' });
      const denied = lines(main.audit).filter((l) => l.reason === 'key_scope');
      expect(denied).toHaveLength(2);
      expect(denied.every((l) => l.keyId === 'monitor' && l.approvalId === null)).toBe(true);
      expect(main.r.out()).toContain('keys: bot (write), monitor (read)');
    });
  });

  describe('6. small things', () => {
    it('a body nested 10,000 deep is a 400, and the relay keeps answering', async () => {
      const deep = `{"node":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
      const answer = await signed(main.r.url, 'host.security', deep);
      expect(answer.status).toBe(400);
      expect(answer.json.error).toEqual({ code: 'BAD_REQUEST', message: 'invalid parameters for host.security: the body nests deeper than 32 levels' });
      expect((await call(main.r.url, 'host.security', { node: 'HV01' })).status).toBe(200);
      expect(lines(main.audit).find((l) => l.reason === 'too_deep')).toMatchObject({ keyId: 'bot', outcome: 'invalid', status: 400 });
    });

    it('audit lines cap nesting and size', async () => {
      const nested = (n: number): unknown => (n === 0 ? 'bottom' : { d: nested(n - 1) });
      expect((await call(main.r.url, 'host.security', { node: 'HV01', x: nested(20) })).status).toBe(400);
      expect((await call(main.r.url, 'host.security', { node: 'HV01', y: 'A'.repeat(200_000) })).status).toBe(400);
      const text = readFileSync(main.audit, 'utf8');
      const deepLine = text.split('\n').find((l) => l.includes('"x":{"d"'))!;
      expect(deepLine).toContain('"[nested]"');
      expect(deepLine).not.toContain('bottom');
      const bigLine = text.split('\n').find((l) => l.includes('"y":"AAAA'))!;
      expect(bigLine.length).toBeLessThan(4096);
      expect(bigLine).toContain('…[+198976 chars]');
    });

    it('approvalId is recorded only when the token verified', async () => {
      const params = { node: 'HV01' };
      const forged = encodeApprovalToken('x'.repeat(40), { id: 'apr-forged-2', op: 'host.purge-tickets', planHash: 'b'.repeat(64), exp: Math.floor(Date.now() / 1000) + 600, jti: 'e'.repeat(32) });
      expect((await call(main.r.url, 'host.purge-tickets', { ...params, approval: forged })).status).toBe(403);
      // A token that fails the schema (bad parameters) is not read either.
      expect((await call(main.r.url, 'host.purge-tickets', { node: 'HV01;', approval: forged })).status).toBe(400);
      const good = await call(main.r.url, 'host.purge-tickets', { ...params, approval: token('host.purge-tickets', params, 'apr-good-6') });
      expect(good.status).toBe(200);
      const text = readFileSync(main.audit, 'utf8');
      expect(text).not.toContain('apr-forged-2');
      expect(lines(main.audit).filter((l) => l.operation === 'host.purge-tickets').map((l) => [l.outcome, l.approvalId])).toEqual([
        ['denied', null],
        ['invalid', null],
        ['started', 'apr-good-6'],
        ['ok', 'apr-good-6'],
      ]);
    });

    it('an unknown key id and a bad signature get the same 401 text; the audit keeps the claimed key id', async () => {
      const unknown = await call(main.r.url, 'host.security', { node: 'HV01' }, { keyId: 'intruder', secret: secret() });
      const badSig = await call(main.r.url, 'host.security', { node: 'HV01' }, { keyId: 'bot', secret: secret() });
      expect(unknown.status).toBe(401);
      expect(badSig.status).toBe(401);
      expect(unknown.text).toBe(badSig.text);
      expect(unknown.json.error?.message).toBe('request not authenticated: key id or signature not accepted');
      const refused = lines(main.audit).filter((l) => l.reason === 'unknown_key' || l.reason === 'bad_signature');
      expect(refused.map((l) => [l.reason, l.claimedKeyId, l.keyId])).toEqual(
        expect.arrayContaining([
          ['unknown_key', 'intruder', null],
          ['bad_signature', 'bot', null],
        ]),
      );
    });
  });

  describe('2. one key cannot lock out the others; unauthenticated floods are bounded', () => {
    let q: { r: RelayProcess; audit: string };
    const A = { keyId: 'tenant-a', secret: secret() };
    const B = { keyId: 'tenant-b', secret: secret() };

    beforeAll(async () => {
      q = await relay({
        RELAY_KEYS: `${A.keyId}:${A.secret},${B.keyId}:${B.secret}`,
        RELAY_SKEW_SECONDS: '60',
        RELAY_FUTURE_SKEW_SECONDS: '30',
        RELAY_KEY_RATE_PER_SECOND: '5',
        RELAY_KEY_BURST: '100',
        RELAY_NONCES_PER_KEY: '600',
        RELAY_UNAUTH_PER_MINUTE: '30',
        RELAY_AUDIT_UNAUTH_PER_MINUTE: '20',
      });
    });

    it('3,000 future-dated requests from one key: that key is throttled (429), the other key is served throughout', async () => {
      const started = Date.now();
      const body = JSON.stringify({ node: 'HV01' });
      const future = at(Math.floor(Date.now() / 1000) + 30);
      const aStatuses: number[] = [];
      const bStatuses: number[] = [];
      for (let i = 0; i < 3000; i += 60) {
        const [b, ...a] = await Promise.all([signed(q.r.url, 'host.security', body, B), ...Array.from({ length: 60 }, () => signed(q.r.url, 'host.security', body, A, future))]);
        bStatuses.push(b!.status);
        aStatuses.push(...a.map((x) => x.status));
      }
      const elapsed = (Date.now() - started) / 1000;
      console.log(`one-key flood: 3000 requests in ${elapsed.toFixed(1)} s; key A got ${aStatuses.filter((s) => s === 200).length} × 200, ${aStatuses.filter((s) => s === 429).length} × 429`);
      expect(elapsed).toBeLessThan(60);
      expect(bStatuses.every((s) => s === 200)).toBe(true);
      expect(aStatuses.filter((s) => s === 200).length).toBeLessThanOrEqual(100 + Math.ceil(5 * elapsed) + 1);
      expect(aStatuses.filter((s) => s !== 200).every((s) => s === 429)).toBe(true);
      // And no one ever hit a full replay cache: the rate keeps each key inside its share.
      expect(lines(q.audit).some((l) => l.reason === 'replay_cache_full')).toBe(false);
      const limited = lines(q.audit).find((l) => l.reason === 'rate_limited');
      expect(limited).toMatchObject({ keyId: null, claimedKeyId: 'tenant-a', status: 429, errorCode: 'RATE_LIMITED' });
    });

    it('2,000 unauthenticated requests: 401 up to the address budget, then 429; sampled audit lines that still count every one; a signed caller from the same address is served', async () => {
      // One signed request first: its line takes the count left over from the test before.
      expect((await call(q.r.url, 'host.security', { node: 'HV01' }, B)).status).toBe(200);
      const linesBefore = lines(q.audit).length;
      const started = Date.now();
      const statuses: number[] = [];
      const served: number[] = [];
      for (let i = 0; i < 2000; i += 100) {
        const [ok, ...bad] = await Promise.all([
          call(q.r.url, 'host.security', { node: 'HV01' }, B),
          ...Array.from({ length: 100 }, () => call(q.r.url, 'host.security', { node: 'HV01' }, { keyId: 'tenant-b', secret: secret() })),
        ]);
        served.push(ok!.status);
        statuses.push(...bad.map((x) => x.status));
      }
      expect((await call(q.r.url, 'host.security', { node: 'HV01' }, B)).status).toBe(200);
      const elapsed = (Date.now() - started) / 1000;
      const added = lines(q.audit).slice(linesBefore);
      console.log(`unauthenticated flood: 2000 requests in ${elapsed.toFixed(1)} s, ${added.length} audit lines`);
      expect(elapsed).toBeLessThan(60);
      expect(served.every((s) => s === 200)).toBe(true);
      expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(30 + Math.ceil(elapsed / 2) + 1);
      expect(statuses.filter((s) => s !== 401).every((s) => s === 429)).toBe(true);
      const unauthenticated = added.filter((l) => l.keyId === null);
      expect(unauthenticated.length).toBeLessThanOrEqual(20 * Math.ceil((elapsed + 1) / 60) + 20);
      expect(added.filter((l) => l.keyId === 'tenant-b')).toHaveLength(21);
      const notLogged = added.reduce((n, l) => n + (typeof l.unauthenticatedNotLogged === 'number' ? l.unauthenticatedNotLogged : 0), 0);
      expect(unauthenticated.length + notLogged).toBe(2000);
    });
  });

  describe('2b. replaying a captured request does not spend its key\'s rate', () => {
    it('500 concurrent replays of one of tenant-b\'s requests: none accepted, and tenant-b is still served at once', async () => {
      const q2 = await relay({ RELAY_KEYS: `tenant-b:${B2.secret}`, RELAY_KEY_RATE_PER_SECOND: '1', RELAY_KEY_BURST: '20', RELAY_NONCES_PER_KEY: '1000' });
      const body = JSON.stringify({ node: 'HV01' });
      const captured = signRequest({ ...B2, method: 'POST', path: '/v1/ops/host.security', body, clock: systemClock });
      expect((await rawPost(q2.r.url, '/v1/ops/host.security', body, captured)).status).toBe(200);
      const replays = await Promise.all(Array.from({ length: 500 }, () => rawPost(q2.r.url, '/v1/ops/host.security', body, captured)));
      expect(replays.filter((a) => a.status === 200)).toHaveLength(0);
      const fresh = await Promise.all(Array.from({ length: 10 }, () => call(q2.r.url, 'host.security', { node: 'HV01' }, B2)));
      expect(fresh.map((a) => a.status)).toEqual(Array.from({ length: 10 }, () => 200));
    });
  });

  describe('3. the audit log fails closed', () => {
    it('refuses to start when the audit log cannot be written', async () => {
      const dir = tempDir('relay-audit-dir-');
      const p = spawnRelay({ LAB_SCENARIO: SCENARIO, RELAY_PORT: '0', RELAY_KEYS: `bot:${BOT.secret}`, RELAY_AUDIT_LOG: dir });
      expect(await p.exit).toBe(2);
      expect(p.err().trim()).toBe(`triage-relay: the audit log cannot be written (RELAY_AUDIT_LOG=${dir}): EISDIR; the relay does not run without it`);
      expect(p.out()).not.toContain('listening');
    });

    it('when the audit log stops being writable, a write with a valid token changes nothing; once it is back, the same write works and is on record twice', async () => {
      const a = await relay({ RELAY_KEYS: `bot:${BOT.secret}`, RELAY_WRITES_ENABLED: 'true', RELAY_APPROVAL_KEY: APPROVAL_KEY });
      const params = { node: 'HV04', expected: 'CredSSP', authenticationType: 'Kerberos' };
      expect((await call(a.r.url, 'host.migration-settings', { node: 'HV04' })).json.result).toMatchObject({ authenticationType: 'CredSSP' });

      // Rotate the file away and put a directory in its place: the reopened log cannot be written.
      renameSync(a.audit, `${a.audit}.old`);
      mkdirSync(a.audit);
      a.r.child.kill('SIGHUP');
      while (!a.r.err().includes('audit log reopened')) await new Promise((r) => setTimeout(r, 20));

      const refused = await call(a.r.url, 'host.set-migration-auth', { ...params, approval: token('host.set-migration-auth', params, 'apr-audit-down') });
      expect(refused.status).toBe(500);
      expect(refused.json.error?.message).toMatch(/could not write its audit log/);
      const readWhileDown = await call(a.r.url, 'host.migration-settings', { node: 'HV04' });
      expect(readWhileDown.status).toBe(500);

      rmdirSync(a.audit);
      a.r.child.kill('SIGHUP');
      while (a.r.err().split('audit log reopened').length < 3) await new Promise((r) => setTimeout(r, 20));
      expect((await call(a.r.url, 'host.migration-settings', { node: 'HV04' })).json.result).toMatchObject({ authenticationType: 'CredSSP' });

      const applied = await call(a.r.url, 'host.set-migration-auth', { ...params, approval: token('host.set-migration-auth', params, 'apr-audit-up') });
      expect(applied.status).toBe(200);
      expect((await call(a.r.url, 'host.migration-settings', { node: 'HV04' })).json.result).toMatchObject({ authenticationType: 'Kerberos' });
      expect(lines(a.audit).filter((l) => l.operation === 'host.set-migration-auth').map((l) => [l.outcome, l.approvalId])).toEqual([
        ['started', 'apr-audit-up'],
        ['ok', 'apr-audit-up'],
      ]);
      expect(readFileSync(`${a.audit}.old`, 'utf8')).not.toContain('apr-audit-down');
    });

    it('rotates by size: the file never grows far past RELAY_AUDIT_MAX_BYTES, and only RELAY_AUDIT_KEEP old files stay', async () => {
      const a = await relay({ RELAY_KEYS: `bot:${BOT.secret}`, RELAY_AUDIT_MAX_BYTES: '4096', RELAY_AUDIT_KEEP: '2' });
      for (let i = 0; i < 150; i++) expect((await call(a.r.url, 'host.security', { node: 'HV01' })).status).toBe(200);
      expect(existsSync(`${a.audit}.1`)).toBe(true);
      expect(existsSync(`${a.audit}.2`)).toBe(true);
      expect(existsSync(`${a.audit}.3`)).toBe(false);
      for (const f of [a.audit, `${a.audit}.1`, `${a.audit}.2`]) expect(statSync(f).size).toBeLessThan(4096 + 1024);
      const kept = [`${a.audit}.2`, `${a.audit}.1`, a.audit].flatMap(lines);
      expect(kept.length).toBeGreaterThan(20);
      expect(kept.every((l) => l.operation === 'host.security' && l.outcome === 'ok')).toBe(true);
    });
  });

  describe('6. the documented refusal reasons match what is logged', () => {
    it('docs/relay-protocol.md lists exactly the reasons the relay can log, and every reason logged above is among them', () => {
      const doc = readFileSync(path.join(ROOT, 'docs/relay-protocol.md'), 'utf8');
      const documented = new Set([...doc.matchAll(/^\| `([a-z_]+)` \| (?:401|403|400|404|405|413|429|500)/gm)].map((m) => m[1]!));
      expect([...documented].sort()).toEqual([...REJECTION_REASONS, ...REFUSAL_REASONS].sort());
      const logged = new Set(auditFiles.flatMap((f) => [f, `${f}.1`, `${f}.2`]).flatMap(lines).map((l) => l.reason).filter((r): r is string => typeof r === 'string'));
      expect(logged.size).toBeGreaterThan(8);
      for (const reason of logged) expect(documented, reason).toContain(reason);
    });
  });
});
