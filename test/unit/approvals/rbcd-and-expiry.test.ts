import { afterEach, describe, expect, it } from 'vitest';
import { renderBlocks } from '../../../adapters/slack/render.js';
import { withPlainMentions } from '../../../src/core/mention.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { startApprovals } from '../../../src/approvals/extension.js';
import { FakeChat } from '../../helpers/approvals/fake-chat.js';
import { checkAndPropose, people, startLabFlow, TEST_POLICY, type Flow } from '../../helpers/approvals/flow.js';

const NODES = ['HV01', 'HV02', 'HV03', 'HV04'];
let flow: Flow | undefined;
afterEach(async () => flow?.close());

async function labFlow(policy = TEST_POLICY): Promise<{ lab: LabBackend; flow: Flow }> {
  const started = await startLabFlow({ policy });
  flow = started.flow;
  return started;
}

describe('RBCD mode (policy remediation.mode: rbcd)', () => {
  it('grants every source on each destination instead of editing the KCD lists, and the re-check is unblocked', async () => {
    const { lab, flow } = await labFlow(TEST_POLICY.replace('mode: kcd', 'mode: rbcd'));
    const kcdBefore = lab.state.findComputer('HV02')!.allowedToDelegateTo.slice();
    const { card, planId } = await checkAndPropose(flow, NODES);
    expect(FakeChat.text(card.reply)).toContain('msDS-AllowedToActOnBehalfOfOtherIdentity: 0 → 3 values');
    expect(FakeChat.text(card.reply)).toContain('resource-based constrained delegation (RBCD)');
    await flow.chat.click(people.adam, 'approve', planId);
    expect(lab.state.findComputer('HV01')!.allowedToActOnBehalfOf.sort()).toEqual(['HV02', 'HV03', 'HV04']);
    expect(lab.state.findComputer('HV02')!.allowedToDelegateTo).toEqual(kcdBefore);
    const recheck = flow.chat.byHeader('Re-check after fix')[0]!;
    expect(Object.values(recheck.reply.matrix!.cells).flatMap((row) => Object.values(row))).not.toContain('blocked');
  });
});

describe('expiry on the timer', () => {
  it('expires due plans, edits their cards, and audits it as the system', async () => {
    const { flow } = await labFlow();
    const { card, planId } = await checkAndPropose(flow, NODES);
    flow.clock.advance(30 * 60_000 + 1);
    const runtime = await startApprovals(flow.deps, { intervalMs: 60_000 });
    runtime.stop();
    expect(await flow.store.getPlan(planId)).toMatchObject({ state: 'expired' });
    expect(withPlainMentions(card.reply).verdict?.text).toBe('Expired at 2026-11-20 09:30 UTC without approval. Nothing was written.');
    expect(JSON.stringify(renderBlocks(card.reply).blocks)).toContain('Expired at <!date^1795167000^{date_short_pretty} {time}|2026-11-20 09:30 UTC> without approval.');
    expect((await flow.store.listAudit({ subjectId: planId })).at(-1)).toMatchObject({ actor: 'system', outcome: expect.any(String) });
    await flow.chat.click(people.adam, 'approve', planId);
    expect(flow.chat.lastTold('adam')).toMatch(/expired/);
    expect(flow.backend.writes).toEqual([]);
  });
});

describe('delegations to other services', () => {
  it('are carried through the compare-and-swap unchanged while the fix adds the migration SPNs', async () => {
    const { lab, flow } = await labFlow();
    lab.state.findComputer('HV02')!.allowedToDelegateTo.push('HTTP/web01.lab.test');
    await flow.chat.command(people.olivia, 'migration-check HV01 HV02 HV03 HV04');
    await flow.chat.click(people.olivia, 'propose-fix', flow.chat.buttonOf(flow.chat.withButton('propose-fix')!, 'propose-fix'));
    const [plan] = await flow.store.listPlans();
    expect(plan).toMatchObject({ state: 'proposed' });
    await flow.chat.click(people.adam, 'approve', plan!.id);
    expect(await flow.store.getPlan(plan!.id)).toMatchObject({ state: 'applied' });
    const hv02 = lab.state.findComputer('HV02')!.allowedToDelegateTo;
    expect(hv02).toContain('HTTP/web01.lab.test');
    expect(hv02).toContain('Microsoft Virtual System Migration Service/hv01.lab.test');
  });
});
