import { afterEach, describe, expect, it } from 'vitest';
import type { LabBackend } from '../../../src/lab/lab-backend.js';
import { FakeChat } from '../../helpers/approvals/fake-chat.js';
import { checkAndPropose, people, startLabFlow, type Flow } from '../../helpers/approvals/flow.js';

// Issue 19, the fix flow on lab/replication-pending.yaml (DC02, in the nodes' site, lags by
// three replication reads): after the approved write the bot waits, with progress in the thread,
// until DC02 carries the new values, and only then purges tickets and re-checks. When the wait
// runs out it says so, purges nothing, and offers "Purge and re-check now".

const NODES = ['HV01', 'HV02'];
let lab: LabBackend;
let flow: Flow;

afterEach(async () => flow.close());

/** The wait polls directory.replication; DC02 lags `lagReads` of those reads. */
async function start(waitMs: number) {
  ({ lab, flow } = await startLabFlow({ scenario: 'replication-pending.yaml' }));
  flow.deps.replicationPollMs = 1;
  flow.deps.replicationWaitMs = waitMs;
}

describe('the fix waits for replication before purging tickets', () => {
  it('waits until every DC of the nodes\' site carries the write, showing progress, then purges and re-checks', async () => {
    await start(60_000);
    const { card, planId } = await checkAndPropose(flow, NODES);
    await flow.chat.click(people.adam, 'approve', planId);

    const waiting = flow.chat.messages.filter((m) => m.versions[0]!.header.startsWith('Waiting for replication'));
    expect(waiting).toHaveLength(1);
    // Posted while DC02 still lagged, then edited once it had caught up.
    expect(FakeChat.text(waiting[0]!.versions[0]!)).toContain('Waiting for DC02 (HV02) to carry it before purging tickets');
    expect(waiting[0]!.reply.header).toBe('Replication finished · HV01, HV02');
    expect(lab.state.dcs.find((d) => d.name === 'DC02')!.delegation).toEqual({});
    expect(flow.backend.count('host.purge-tickets')).toBe(2);
    const plan = await flow.store.getPlan(planId);
    expect(plan?.state).toBe('applied');
    expect(flow.chat.byHeader('Re-check after fix')).toHaveLength(1);
    expect(card.reply.buttons?.map((b) => b.action)).toEqual(['rollback']);
  });

  it('past REPLICATION_WAIT_SECONDS: says which DC lags, purges nothing, and offers "Purge and re-check now"', async () => {
    await start(0);
    const { card, planId } = await checkAndPropose(flow, NODES);
    await flow.chat.click(people.adam, 'approve', planId);

    expect(flow.backend.count('directory.apply-delegation')).toBe(1);
    expect(flow.backend.count('host.purge-tickets')).toBe(0);
    const plan = await flow.store.getPlan(planId);
    expect(plan?.state).toBe('failed');
    const shown = FakeChat.text(card.reply);
    expect(shown).toContain('DC02 (HV02) still did not carry it, so the tickets were not purged');
    expect(flow.chat.byHeader('Re-check after fix')).toHaveLength(0);
    expect(card.reply.buttons?.map((b) => [b.action, b.recordId])).toEqual([['purge-recheck', planId]]);

    // A viewer may not purge; an operator may, and the re-check is posted in the thread.
    await flow.chat.click(people.vera, 'purge-recheck', planId);
    expect(flow.backend.count('host.purge-tickets')).toBe(0);
    await flow.chat.click(people.olivia, 'purge-recheck', planId);
    expect(flow.backend.count('host.purge-tickets')).toBe(2);
    const recheck = flow.chat.byHeader('Re-check after purging tickets');
    expect(recheck).toHaveLength(1);
    expect(recheck[0]!.reply.context?.join(' ')).toContain('Purge and re-check by');
    const audit = await flow.store.listAudit({ subjectId: planId });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['plan.purge-recheck', 'relay.purge-tickets']));
  });

  it('a forged or settled plan id is refused, and nothing is purged', async () => {
    await start(60_000);
    await flow.chat.click(people.olivia, 'purge-recheck', 'plan-that-does-not-exist');
    expect(flow.chat.lastTold('olivia')).toContain('no fix waiting for replication');
    expect(flow.backend.count('host.purge-tickets')).toBe(0);
  });
});
