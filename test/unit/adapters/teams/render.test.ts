import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cardMessageBytes, MAX_ACTIVITY_BYTES } from '../../../../adapters/teams/card-size.js';
import { renderCard, renderCards, type AdaptiveCard } from '../../../../adapters/teams/render.js';
import type { Reply } from '../../../../src/core/reply.js';
import { cardProblems } from '../../../helpers/teams/validate-card.js';
import { REPLIES, fullMatrix, nodesNamed } from './replies.js';

const GOLDEN_DIR = 'test/fixtures/teams';
// Set UPDATE_GOLDEN=1 to rewrite the golden files after an intended change (then review the diff).
const update = process.env.UPDATE_GOLDEN === '1';

type El = Record<string, unknown>;
function walk(node: unknown, visit: (el: El) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node && typeof node === 'object') {
    visit(node as El);
    Object.values(node).forEach((v) => walk(v, visit));
  }
}
const all = (card: unknown, type: string) => {
  const out: El[] = [];
  walk(card, (el) => el.type === type && out.push(el));
  return out;
};
const texts = (card: unknown) => all(card, 'TextBlock').map((t) => t.text as string);

/** The compact grid of a card (monospace: "  1 HV01 -X.?"), as "from>to" → status. */
function gridCells(card: AdaptiveCard, nodes: string[]): Map<string, string> {
  const seen = new Map<string, string>();
  const marks: Record<string, string> = { '.': 'ok', X: 'blocked', '?': 'unknown' };
  for (const block of all(card, 'TextBlock').filter((t) => t.fontType === 'monospace')) {
    for (const line of String(block.text).split('\n')) {
      const row = /^\s*(\d+) (\S+)\s+(\S+)$/.exec(line);
      if (!row) continue;
      [...row[3]!].forEach((c, i) => c !== '-' && seen.set(`${row[2]}>${nodes[i]}`, marks[c]!));
    }
  }
  return seen;
}

describe('renderCards golden files', () => {
  for (const [name, reply] of Object.entries(REPLIES)) {
    it(`${name}: matches the golden file and parses with zero adaptivecards problems`, () => {
      const cards = renderCards(reply);
      const file = `${GOLDEN_DIR}/${name}.json`;
      if (update) {
        mkdirSync(GOLDEN_DIR, { recursive: true });
        writeFileSync(file, `${JSON.stringify(cards, null, 2)}\n`);
      }
      expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
      expect(cards).toEqual(JSON.parse(readFileSync(file, 'utf8')));
      for (const card of cards) {
        expect(cardProblems(card)).toEqual([]);
        expect(cardMessageBytes(card)).toBeLessThanOrEqual(MAX_ACTIVITY_BYTES);
      }
    });
  }
});

describe('renderCard', () => {
  it('shows a preformatted section (text to copy) in monospace, a block per line, as it stands', () => {
    const lines = ['people: [{ name: carol, teams: 29f1c7e0-aaaa-bbbb-cccc-1234567890ab }]', 'roles: { operator: ["person:carol"] }'];
    const card = renderCard({ header: 'h', sections: [{ title: 'Paste into the policy file', preformatted: true, lines }] });
    const blocks = all(card, 'TextBlock').filter((b) => b.fontType === 'monospace');
    expect(blocks.map((b) => b.text)).toEqual(lines);
    // The same lines in an ordinary section are not monospace.
    const plainCard = renderCard({ header: 'h', sections: [{ title: 'Findings', lines }] });
    expect(all(plainCard, 'TextBlock').filter((b) => b.fontType === 'monospace')).toHaveLength(0);
  });

  it('is schema 1.5 and colours the verdict by status', () => {
    const colours = (['healthy', 'blocked', 'degraded', 'unknown', 'error', 'info'] as const).map((status) => {
      const card = renderCard({ header: 'h', verdict: { status, text: status } });
      expect(card.version).toBe('1.5');
      const container = all(card, 'Container')[0]!;
      return [status, container.style, ((container.items as El[])[0] as El).color];
    });
    expect(colours).toEqual([
      ['healthy', 'good', 'good'],
      ['blocked', 'attention', 'attention'],
      ['degraded', 'warning', 'warning'],
      ['unknown', 'warning', 'warning'],
      ['error', 'attention', 'attention'],
      ['info', 'accent', 'accent'],
    ]);
  });

  it('renders buttons as Action.Execute carrying only the record id, and choices as a ChoiceSet', () => {
    const card = renderCard(REPLIES['blocked-fixable']!);
    expect(card.actions).toEqual([
      { type: 'Action.Execute', title: 'Propose fix', verb: 'propose-fix', data: { recordId: 'chk_02' }, style: 'positive' },
      { type: 'Action.Execute', title: 'Re-run', verb: 'rerun', data: { recordId: 'chk_02' } },
      { type: 'Action.Execute', title: 'Show evidence', verb: 'show-evidence', data: { recordId: 'chk_02' } },
      { type: 'Action.Execute', title: 'Test migration', verb: 'test-migration', data: { recordId: 'chk_02' } },
    ]);
    const choice = all(card, 'Input.ChoiceSet')[0]!;
    expect(choice.id).toBe('choice-test-migration');
    expect(choice.choices).toEqual([
      { title: 'vm-sql01 (on HV02)', value: 'vm-sql01' },
      { title: 'vm-web02 (on HV03)', value: 'vm-web02' },
    ]);
    expect(renderCard(REPLIES['approval-pending']!).actions?.[1]).toMatchObject({ verb: 'reject', style: 'destructive' });
  });

  it('shows the facts as a FactSet and findings with their evidence as detail lines', () => {
    const card = renderCard(REPLIES['blocked-fixable']!);
    expect(all(card, 'FactSet')[0]!.facts).toEqual([
      { title: 'Nodes', value: 'HV01, HV02, HV03' },
      { title: 'Evidence collected', value: '2026-11-25T21:00:00.000Z' },
    ]);
    const evidence = all(card, 'TextBlock').find((t) => String(t.text).startsWith('evidence: missing='))!;
    expect(evidence).toMatchObject({ isSubtle: true, size: 'small' });
    expect(texts(card)).toContain('Errors (2)');
  });

  it('draws up to 16 nodes as one table, row → column, with the diagonal and missing cells marked', () => {
    const m = fullMatrix(['HV01', 'HV02', 'HV03'], (a, b) => (a === 'HV01' && b === 'HV03' ? undefined : a === 'HV01' ? 'blocked' : 'ok'));
    const card = renderCard({ header: 'h', matrix: m });
    const table = all(card, 'Table')[0]!;
    const rows = (table.rows as El[]).map((r) => (r.cells as El[]).map((c) => ((c.items as El[])[0] as El).text));
    expect(rows).toEqual([
      ['from → to', 'HV01', 'HV02', 'HV03'],
      ['HV01', '—', 'blocked', 'n/a'],
      ['HV02', 'ok', '—', 'ok'],
      ['HV03', 'ok', 'ok', '—'],
    ]);
    expect(card.msteams).toEqual({ width: 'Full' });
    const sixteen = renderCards({ header: 'h', matrix: fullMatrix(nodesNamed(16), () => 'ok') });
    expect(sixteen).toHaveLength(1);
    expect(all(sixteen[0], 'Table')).toHaveLength(1);
  });

  it('summarises a matrix above 16 nodes by node and sends every direction exactly once, in one follow-up grid', () => {
    const nodes = nodesNamed(23);
    const m = fullMatrix(nodes, (a, b) => (b === 'HV05' ? 'blocked' : a === 'HV09' ? 'unknown' : 'ok'));
    const cards = renderCards({ header: 'Cluster health', matrix: m, buttons: [{ action: 'rerun', label: 'Re-run', recordId: 'r' }] });
    expect(all(cards[0], 'Table')).toHaveLength(0);
    expect(texts(cards[0])).toContain('463 of 506 directions ok, 22 blocked, 21 unknown. The full matrix follows in the next message.');
    expect(texts(cards[0])).toContain('nothing can migrate into HV05.');
    expect(cards[0]!.actions).toHaveLength(1);
    expect(cards).toHaveLength(2);
    const seen = gridCells(cards[1]!, nodes);
    expect(cardProblems(cards[1])).toEqual([]);
    expect(seen.size).toBe(23 * 22);
    expect(seen.get('HV01>HV05')).toBe('blocked');
    expect(seen.get('HV09>HV01')).toBe('unknown');
    expect(seen.get('HV02>HV03')).toBe('ok');
    expect(texts(cards.at(-1))[0]).toBe(`Cluster health (part ${cards.length} of ${cards.length})`);
  });

  it('keeps every message within the budget with long node names and a long header, 64 nodes', () => {
    const nodes = Array.from({ length: 64 }, (_, i) => `HYPERV-NODE-${String(i + 1).padStart(3, '0')}`);
    const header = `Cluster health · ${'PRODUCTION-CLUSTER-'.repeat(6)}`;
    const cards = renderCards({ header, matrix: fullMatrix(nodes, () => 'blocked') });
    // At most 3 messages for 64 nodes (issue 20): the summary, then the whole matrix as one grid.
    expect(cards.length).toBeLessThanOrEqual(3);
    let cells = 0;
    for (const c of cards) {
      expect(cardMessageBytes(c)).toBeLessThanOrEqual(MAX_ACTIVITY_BYTES);
      cells += [...gridCells(c, nodes).values()].filter((v) => v === 'blocked').length;
    }
    expect(cells).toBe(64 * 63);
  });

  it('moves findings that do not fit to continuation cards, in order, losing no line', () => {
    const lines = Array.from({ length: 600 }, (_, i) => `DELEGATION_NONE · HV${i}: computer object has no delegation at all (finding ${i}).`);
    const reply: Reply = { header: 'Big', verdict: { status: 'blocked', text: 'Blocked' }, sections: [{ title: 'Errors (600)', severity: 'error', lines }], buttons: [{ action: 'rerun', label: 'Re-run', recordId: 'r' }] };
    const cards = renderCards(reply);
    expect(cards.length).toBeGreaterThan(1);
    expect(cards[0]!.actions).toHaveLength(1);
    expect(texts(cards[0])).toContain('Continued in the next messages.');
    const shown = cards.flatMap((c) => texts(c)).filter((t) => t.startsWith('DELEGATION_NONE'));
    expect(shown).toEqual(lines);
    for (const c of cards) expect(cardMessageBytes(c)).toBeLessThanOrEqual(MAX_ACTIVITY_BYTES);
  });

  it('cuts a single oversized text into pieces that join back to the original', () => {
    const content = Array.from({ length: 9000 }, (_, i) => `line ${i} ${'x'.repeat(i % 40)}`).join('\n');
    const cards = renderCards({ header: 'Evidence', attachments: [{ filename: 'e.txt', mimeType: 'text/plain', content }] }, { maxBytes: 30_000 });
    const pieces = cards.flatMap((c: AdaptiveCard) => all(c, 'TextBlock').filter((t) => t.fontType === 'monospace').map((t) => String(t.text)));
    expect(pieces.join('\n')).toBe(content);
    for (const c of cards) expect(cardMessageBytes(c)).toBeLessThanOrEqual(30_000);
  });
});

describe('the card validator itself', () => {
  it('reports problems for a broken card, so a passing check means something', () => {
    expect(cardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Bogus' }, { type: 'Input.ChoiceSet', choices: [] }] }).length).toBeGreaterThan(0);
    expect(cardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'x', colour: 'good' }] })).toEqual([
      'dropped: .body[0].colour (unknown property, or a default value the renderer need not send)',
    ]);
    expect(cardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'x', color: 'good' }], msteams: { width: 'Full' } })).toEqual([]);
  });
});
