import { describe, expect, it } from 'vitest';
import type { types } from '@slack/bolt';
import { createHash } from 'node:crypto';
import { renderBlocks, type RenderedMessage } from '../../../../adapters/slack/render.js';
import { checkLimits } from '../../../../adapters/slack/limits.js';
import { actionNameOf, recordIdOfChoiceBlock } from '../../../../adapters/slack/action-id.js';
import type { Reply } from '../../../../src/core/reply.js';
import { SAMPLE_REPLIES, blockedThreeNodes, cluster64, hugeFindings, unknownDirections } from '../../../helpers/slack/sample-replies.js';
import { expectGolden } from '../../../helpers/slack/golden.js';

type Loose = Record<string, unknown>;
const blocksOfType = (blocks: types.KnownBlock[], type: string): Loose[] => blocks.filter((b) => b.type === type) as unknown as Loose[];
const allText = (blocks: types.KnownBlock[]): string => JSON.stringify(blocks);
const elementsOf = (blocks: types.KnownBlock[]): Loose[] => blocksOfType(blocks, 'actions').flatMap((b) => b.elements as Loose[]);

/** Attachments are kept in the golden file by size and hash; their content is asserted below. */
function goldenView(message: RenderedMessage): unknown {
  const files = message.files?.map((f) => ({ filename: f.filename, mimeType: f.mimeType, bytes: Buffer.byteLength(f.content), sha256: createHash('sha256').update(f.content).digest('hex') }));
  return { ...message, files };
}

describe('renderBlocks', () => {
  for (const [name, reply] of Object.entries(SAMPLE_REPLIES)) {
    it(`renders "${name}" within every Block Kit limit, as in its golden file`, () => {
      const message = renderBlocks(reply);
      expect(checkLimits(message)).toEqual([]);
      expectGolden(`reply-${name}`, goldenView(message));
    });
  }

  it('puts the verdict emoji in the header and draws the matrix as a grid with rows = from', () => {
    const { blocks, text } = renderBlocks(blockedThreeNodes);
    const header = blocksOfType(blocks, 'header')[0]!;
    expect((header.text as Loose).text).toBe('⛔ Live migration check · HV01, HV02, HV03');
    expect(text).toContain('Blocked');
    const grid = allText(blocks);
    // HV01's row: diagonal, then blocked to HV02 and HV03; HV02's row: ok, diagonal, ok.
    expect(grid).toMatch(/ 1 HV01\s+➖ ⛔ ⛔/);
    expect(grid).toMatch(/ 2 HV02\s+✅ ➖ ✅/);
  });

  it('gives every button only the opaque record id as value and the action name in action_id', () => {
    const elements = elementsOf(renderBlocks(blockedThreeNodes).blocks);
    const buttons = elements.filter((e) => e.type === 'button');
    expect(buttons.map((b) => [b.action_id, b.value])).toEqual([
      ['triage:propose-fix', 'chk_01HV3K9Z'],
      ['triage:rerun', 'chk_01HV3K9Z'],
      ['triage:show-evidence', 'chk_01HV3K9Z'],
    ]);
    expect(buttons[0]!.style).toBe('primary');
  });

  it('turns choices into a static_select whose block carries the record id', () => {
    const { blocks } = renderBlocks(blockedThreeNodes);
    const block = blocksOfType(blocks, 'actions').find((b) => (b.elements as Loose[])[0]!.type === 'static_select')!;
    const select = (block.elements as Loose[])[0]!;
    expect(actionNameOf(select.action_id as string)).toBe('test-migration');
    expect(recordIdOfChoiceBlock(block.block_id as string)).toBe('chk_01HV3K9Z');
    expect((select.options as Loose[]).map((o) => o.value)).toEqual(['vm-sql01', 'vm-web02']);
  });

  it('numbers repeated actions so action ids stay unique', () => {
    const reply: Reply = {
      header: 'Approvals',
      buttons: [
        { action: 'approve', label: 'Approve plan A', recordId: 'plan_a' },
        { action: 'approve', label: 'Approve plan B', recordId: 'plan_b' },
      ],
    };
    const ids = elementsOf(renderBlocks(reply).blocks).map((e) => [e.action_id, e.value]);
    expect(ids).toEqual([
      ['triage:approve', 'plan_a'],
      ['triage:approve:2', 'plan_b'],
    ]);
    expect(ids.map(([id]) => actionNameOf(id as string))).toEqual(['approve', 'approve']);
  });

  it('escapes mentions and links coming from evidence so they show as text', () => {
    const text = allText(renderBlocks(unknownDirections).blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
  });

  it('summarises a 64-node matrix and attaches it whole as CSV', () => {
    const message = renderBlocks(cluster64);
    expect(checkLimits(message)).toEqual([]);
    const text = allText(message.blocks);
    expect(text).not.toContain('➖');
    expect(text).toContain('64 nodes, 4032 directions: ✅ 3845 ok · ⛔ 125 blocked · ❔ 62 unknown');
    // By node, not 125 lines of pairs (issue 20).
    expect(text).toContain('HV07 cannot migrate out at all; nothing can migrate into HV33.');
    expect(text).not.toContain('⛔ HV07 → HV01');
    expect(text).toContain('The full matrix is in direction-matrix.csv.');
    const csv = message.files?.find((f) => f.filename === 'direction-matrix.csv');
    const rows = csv!.content.trim().split('\n');
    expect(rows).toHaveLength(65);
    expect(rows[0]!.split(',')).toHaveLength(65);
    const cell = (from: number, to: number): string => rows[from]!.split(',')[to]!;
    expect(cell(7, 1)).toBe('blocked'); // HV07 → HV01
    expect(cell(1, 33)).toBe('blocked'); // HV01 → HV33
    expect(cell(50, 2)).toBe('unknown');
    expect(cell(2, 1)).toBe('ok');
    expect(cell(5, 5)).toBe('-');
    expect(rows.join('\n').match(/blocked/g)).toHaveLength(125);
  });

  it('moves a result too large for one message into an attachment, losing no line', () => {
    const message = renderBlocks(hugeFindings);
    expect(checkLimits(message)).toEqual([]);
    expect(allText(message.blocks)).toContain('too large for one Slack message');
    const file = message.files?.find((f) => f.filename === 'triage-result.txt');
    for (const line of hugeFindings.sections![0]!.lines) expect(file!.content).toContain(line);
    // The buttons still work from the summary.
    expect(elementsOf(message.blocks).map((e) => e.value)).toEqual(['chk_huge']);
  });

  it('keeps a title longer than a header block holds, as a bold section', () => {
    const header = `Live migration check · ${Array.from({ length: 12 }, (_, i) => `hv${i}.cluster.contoso.com`).join(', ')}`;
    const message = renderBlocks({ header, verdict: { status: 'info', text: 'ok' } });
    expect(checkLimits(message)).toEqual([]);
    expect(blocksOfType(message.blocks, 'header')).toHaveLength(0);
    expect(allText(message.blocks)).toContain(header);
  });

  it('splits more than 25 buttons over several actions blocks and more than 100 choices over several menus', () => {
    const buttons = Array.from({ length: 30 }, (_, i) => ({ action: 'approve' as const, label: `Approve ${i}`, recordId: `plan_${i}` }));
    const choices = Array.from({ length: 250 }, (_, i) => ({ label: `VM-${i}`, value: `vm-${i}` }));
    const message = renderBlocks({ header: 'Many', buttons: [...buttons, { action: 'test-migration', label: 'Test migration', recordId: 'chk_x', choices }] });
    expect(checkLimits(message)).toEqual([]);
    const actions = blocksOfType(message.blocks, 'actions');
    expect(actions.map((b) => (b.elements as Loose[]).length)).toEqual([25, 5, 1, 1, 1]);
    const options = actions.slice(2).flatMap((b) => ((b.elements as Loose[])[0]!.options as Loose[]).map((o) => o.value));
    expect(options).toEqual(choices.map((c) => c.value));
    expect(actions.slice(2).map((b) => recordIdOfChoiceBlock(b.block_id as string))).toEqual(['chk_x', 'chk_x', 'chk_x']);
  });

  it('keeps even a pathological Reply within the limits, with all of it in the attachment', () => {
    const reply: Reply = {
      header: 'H'.repeat(5000),
      verdict: { status: 'error', text: 'v'.repeat(100_000) },
      facts: Array.from({ length: 300 }, (_, i) => ({ label: `fact ${i}`, value: 'x'.repeat(2500) })),
      sections: Array.from({ length: 120 }, (_, i) => ({ title: `Section ${i}`, lines: ['line'] })),
      context: Array.from({ length: 40 }, (_, i) => `context ${i} ${'c'.repeat(400)}`),
      buttons: [{ action: 'rerun', label: 'Re-run', recordId: 'cr_x' }],
    };
    const message = renderBlocks(reply);
    expect(checkLimits(message)).toEqual([]);
    const file = message.files!.find((f) => f.filename === 'triage-result.txt')!.content;
    expect(file).toContain('v'.repeat(100_000));
    expect(file).toContain(`fact 299: ${'x'.repeat(2500)}`);
    expect(file).toContain('Section 119');
    expect(file).toContain('context 39');
    expect(allText(message.blocks)).toContain('continued in triage-result.txt');
  });

  it('summarises a small matrix whose grid would not fit one section (long FQDNs), keeping the findings', () => {
    const nodes = Array.from({ length: 14 }, (_, i) => `hv${i}.${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.contoso.com`);
    const cells: Record<string, Record<string, 'ok' | 'blocked'>> = {};
    for (const f of nodes) cells[f] = Object.fromEntries(nodes.filter((t) => t !== f).map((t) => [t, 'ok' as const]));
    const message = renderBlocks({ header: 'Long names', matrix: { nodes, cells }, sections: [{ title: 'Errors (1)', severity: 'error', lines: ['SPN_MISSING · x'] }] });
    expect(checkLimits(message)).toEqual([]);
    expect(allText(message.blocks)).toContain('14 nodes, 182 directions');
    expect(allText(message.blocks)).toContain('SPN_MISSING · x');
    expect(message.files?.map((f) => f.filename)).toEqual(['direction-matrix.csv']);
  });
});

