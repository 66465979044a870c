import { describe, expect, it } from 'vitest';
import { renderReportPage } from '../../../../adapters/teams/report-page.js';
import { renderCards } from '../../../../adapters/teams/render.js';
import { checkReport } from '../../../../src/core/check-report.js';
import { mention } from '../../../../src/core/mention.js';
import type { Reply } from '../../../../src/core/reply.js';
import { MemoryCoreStore } from '../../../helpers/fakes.js';

// The report page (GET /reports/<id>) is static HTML: whatever a node name, a finding or a
// person's name holds, it is text on the page, never markup.

const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>&'`;

function hostileReply(): Reply {
  const a = `HV01${HOSTILE}`;
  return {
    header: `Live migration check · ${a}`,
    verdict: { status: 'blocked', text: `Blocked: ${HOSTILE}` },
    facts: [{ label: `Nodes${HOSTILE}`, value: a }],
    matrix: { nodes: [a, 'HV02'], cells: { [a]: { HV02: 'blocked' }, HV02: { [a]: 'ok' } } },
    sections: [{ title: `Errors ${HOSTILE}`, severity: 'error', lines: [`SPN_DUPLICATE · ${HOSTILE}`, `    evidence ${HOSTILE}`] }],
    context: [`Run by ${mention({ platform: 'teams', id: '29:x', displayName: `Eve${HOSTILE}` })}`],
  };
}

describe('report page', () => {
  it('escapes every piece of text and carries no script or handler', () => {
    const html = renderReportPage(hostileReply());
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    // No tag has an event-handler attribute (quoted attribute values, escaped, are skipped over).
    expect(html).not.toMatch(/<[a-z0-9]+(?:\s+[a-z-]+="[^"]*")*\s+on[a-z]+=/i);
    // Every attribute value is quoted and holds no raw quote or angle bracket.
    for (const tag of html.match(/<[a-z][^>]*>/gi) ?? []) expect(tag).toMatch(/^<[a-z0-9]+(?:\s+[a-z-]+(?:="[^"<>]*")?)*\s*>$/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&amp;&#39;');
    // The matrix is there: the blocked direction and the ok one, escaped in the cell titles.
    expect(html).toContain('<td class="cell-blocked" title="HV01&lt;script&gt;');
    expect(html).toMatch(/<td class="cell-ok" title="HV02 → HV01&lt;script&gt;[^"]*: ok">ok<\/td>/);
    expect(html).toContain('<li class="detail">evidence &lt;script&gt;');
    // A person is their name on the page, escaped.
    expect(html).toContain('Run by Eve&lt;script&gt;');
  });

  it('reads a stored run by its id and refuses anything that is not a check run id', async () => {
    const store = new MemoryCoreStore();
    expect(await checkReport(store, '../../etc/passwd')).toBeUndefined();
    expect(await checkReport(store, 'cr_aaaaaaaaaaaaaaaa')).toBeUndefined();
  });
});

describe('Teams cards with a report page', () => {
  const big = (n: number): Reply => {
    const nodes = Array.from({ length: n }, (_, i) => `N${String(i + 1).padStart(2, '0')}`);
    const cells: NonNullable<Reply['matrix']>['cells'] = {};
    for (const from of nodes) for (const to of nodes) if (from !== to) (cells[from] ??= {})[to] = from === 'N07' ? 'blocked' : 'ok';
    return { header: 'Cluster health · BIG', verdict: { status: 'blocked', text: 'Blocked' }, matrix: { nodes, cells }, reportId: 'cr_abcdefghjkmnpqrs' };
  };

  it('links a 64-node matrix to the page in one card', () => {
    const cards = renderCards(big(64), { reportUrl: (id) => `https://bot.example/reports/${id}` });
    expect(cards).toHaveLength(1);
    expect(cards[0]!.actions).toContainEqual({ type: 'Action.OpenUrl', title: 'Full matrix', url: 'https://bot.example/reports/cr_abcdefghjkmnpqrs' });
    expect(JSON.stringify(cards[0])).toContain('N07 cannot migrate out at all');
  });

  it('keeps the grid card without a base URL, and adds no link to a reply that fits', () => {
    expect(renderCards(big(64))).toHaveLength(2);
    const small = renderCards(big(4), { reportUrl: (id) => `https://bot.example/reports/${id}` });
    expect(small).toHaveLength(1);
    expect(small[0]!.actions ?? []).toEqual([]);
  });
});
