import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/kernel/clock.js';
import { mintApprovalToken } from '../../../src/relay/approval-token.js';
import type { RunningRelay } from '../../../src/relay/server/start-relay-server.js';
import { APPROVAL_KEY, signedPost, SpyBackend, startSpyRelay } from './harness.js';

// Fencing over HTTP: each write's approval token carries the fencing token of the bot's lease on
// the plan; once the relay has seen token n for a plan, a write carrying a lower one is refused
// before the backend runs, and the refusal is in the relay's audit log.

const clock = fixedClock('2026-03-01T12:00:00Z');
const OP = 'host.purge-tickets' as const;
const write = (plan: string, fence: number | undefined, node = 'HV01') => {
  const params = { node };
  const approval = mintApprovalToken({ key: APPROVAL_KEY, id: plan, op: OP, params, ttlSeconds: 600, clock, ...(fence !== undefined ? { fence } : {}) });
  return signedPost(relay.url, OP, { ...params, approval }, { clock });
};

let relay: RunningRelay;
let spy: SpyBackend;
let auditFile: string;

beforeAll(async () => {
  ({ relay, spy, auditFile } = await startSpyRelay({ clock, writesEnabled: true, approvalKey: APPROVAL_KEY }));
});
afterAll(() => relay.close());

describe('fencing tokens on writes', () => {
  it('refuses a write whose token is lower than the highest seen for its plan, and only for that plan', async () => {
    expect((await write('pl_fenced', 1)).status).toBe(200);
    expect((await write('pl_fenced', 2)).status).toBe(200); // recovery took the lease over
    const stale = await write('pl_fenced', 1); // the frozen first replica wakes up
    expect(stale.status).toBe(403);
    expect(stale.json.error?.code).toBe('FORBIDDEN');
    expect(stale.json.error?.message).toContain('stale fencing token 1 for plan pl_fenced');
    expect((await write('pl_fenced', 2, 'HV02')).status).toBe(200); // the holder goes on
    expect((await write('pl_other', 1)).status).toBe(200); // another plan has its own mark
    expect(spy.calls.filter((c) => c.op === OP)).toHaveLength(4);
    const lines = readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { outcome: string; reason?: string; approvalId: string | null });
    expect(lines.filter((l) => l.reason === 'stale_fence')).toHaveLength(1);
  });
});
