import { afterEach, describe, expect, it } from 'vitest';
import { FakeChat } from '../../helpers/approvals/fake-chat.js';
import { people, startLabFlow, type Flow } from '../../helpers/approvals/flow.js';

// Issue 19: a test migration reports what the KDC logged during the attempt. On
// lab/kdc-delegation-refused.yaml the KDC refuses HV01's S4U2proxy to HV03, so the attempt fails
// and DC01 logs a new 4769 failure 0xD, which the result names; the healthy direction has none.

let flow: Flow;
afterEach(async () => flow.close());

async function testMove(nodes: string, label: string) {
  ({ flow } = await startLabFlow({ scenario: 'kdc-delegation-refused.yaml' }));
  await flow.chat.command(people.olivia, `migration-check ${nodes}`);
  const result = flow.chat.withButton('test-migration')!;
  await flow.chat.click(people.olivia, 'test-migration', flow.chat.buttonOf(result, 'test-migration'), { on: result });
  const picker = flow.chat.byHeader('Test migration ·').at(-1)!;
  const button = picker.reply.buttons![0]!;
  const choice = button.choices!.find((c) => c.label.startsWith(`${label} · `));
  expect(choice, `choices: ${button.choices!.map((c) => c.label).join(', ')}`).toBeDefined();
  await flow.chat.click(people.olivia, 'test-migration', button.recordId, { value: choice!.value, on: picker });
  const planId = flow.chat.buttonOf(flow.chat.withButton('approve')!, 'approve');
  await flow.chat.click(people.adam, 'approve', planId);
  return FakeChat.text(flow.chat.byHeader(`Test migration result · ${label}`)[0]!.reply);
}

describe('test migration and the KDC', () => {
  it('names the KDC refusal the attempt caused', async () => {
    const shown = await testMove('HV01 HV03', 'VM01: HV01 → HV03');
    expect(shown).toContain('KDC events of the attempt (1, from DC01, DC02)');
    // Issue 19: the KCD finding makes it the off-box move, and the result says so.
    expect(shown).toContain('off-box live migration (Move-VM -ComputerName <source>, started on the relay host), for KDC_DELEGATION_REFUSED');
    expect(shown).toMatch(/DC01 · Security 4769 failure 0xD · HV01\$@LAB\.TEST → HV03\$ \(the KDC refused the delegation\)/);
  });

  it('a move the KDC does not refuse shows no KDC event', async () => {
    const shown = await testMove('HV03 HV01', 'VM03: HV03 → HV01');
    expect(shown).toContain('KDC events of the attempt (0, from DC01, DC02)');
    // No finding concerns HV03 → HV01: the clustered VM is moved by its cluster.
    expect(shown).toContain('cluster move (Move-ClusterVirtualMachineRole)');
  });
});
