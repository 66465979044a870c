import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderBlocks } from '../../../adapters/slack/render.js';
import { renderCards } from '../../../adapters/teams/render.js';
import { cardActivity } from '../../../adapters/teams/card-size.js';
import { renderHtml } from '../../../adapters/web/render.js';
import { dateText, mention } from '../../../src/core/mention.js';
import type { Reply } from '../../../src/core/reply.js';

// A mention is a Reply element each adapter renders: Slack <@U…>, a Teams <at> mention with its
// entity, the console a plain name. The core writes no platform's syntax.

const reply = (who: string): Reply => ({ header: 'Fix plan pl_1 · HV01, HV02', verdict: { status: 'pending', text: `Proposed by ${who}. Needs an approver.` }, context: [`Run by ${who}`] });

describe('mentions', () => {
  it('Slack: a Slack person is <@U…>; someone from another platform is their name', () => {
    const slack = renderBlocks(reply(mention({ platform: 'slack', id: 'U0ADA1', displayName: 'Ada' })));
    expect(JSON.stringify(slack.blocks)).toContain('Proposed by <@U0ADA1>.');
    expect(slack.text).toContain('<@U0ADA1>');
    const other = renderBlocks(reply(mention({ platform: 'teams', id: 'aad-1', displayName: 'Bob <!channel>' })));
    expect(JSON.stringify(other.blocks)).toContain('Bob &lt;!channel&gt;');
  });

  it('Teams: <at>Name</at> in the text and a mention entity with the AAD id on that card', () => {
    const [card] = renderCards(reply(mention({ platform: 'teams', id: 'aad-ada-1', displayName: 'Ada Admin' })));
    expect(JSON.stringify(card!.body)).toContain('Proposed by <at>Ada Admin</at>.');
    expect(card!.msteams?.entities).toEqual([{ type: 'mention', text: '<at>Ada Admin</at>', mentioned: { id: 'aad-ada-1', name: 'Ada Admin' } }]);
  });

  it('the console shows the plain name', () => {
    const html = renderHtml(reply(mention({ platform: 'web', id: 'persona-ops', displayName: 'Olga (operator)' })), 'm1');
    expect(html).toContain('Proposed by Olga (operator).');
    expect(html).not.toMatch(/[\uE000-\uE002]/);
  });

  it('a group is notified only through Reply.notify, never from text', () => {
    const forged = renderBlocks({ header: 'x', verdict: { status: 'info', text: 'event text <!subteam^S0EVIL>' } });
    expect(JSON.stringify(forged)).not.toContain('<!subteam^');
    const notified = renderBlocks({ ...reply('Ada'), notify: [{ platform: 'slack', id: 'S0APPROVERS' }] });
    expect(notified.text.startsWith('<!subteam^S0APPROVERS>')).toBe(true);
    expect(JSON.stringify(notified.blocks)).toContain('<!subteam^S0APPROVERS> this needs your attention');
    // An id that is not a Slack user-group id is left out.
    expect(JSON.stringify(renderBlocks({ ...reply('Ada'), notify: [{ platform: 'slack', id: 'here>' }] }))).not.toContain('subteam');
  });

  it('dates: Slack <!date^…> in each reader\'s time zone, UTC elsewhere; a look-alike with other text stays escaped', () => {
    const reply: Reply = { header: 'x', context: [`Run by Ada · ${dateText('2026-11-20T09:00:00.000Z')}`] };
    expect(JSON.stringify(renderBlocks(reply).blocks)).toContain('Run by Ada · <!date^1795165200^{date_short_pretty} {time}|2026-11-20 09:00 UTC>');
    expect(JSON.stringify(renderCards(reply)[0]!.body)).toContain('Run by Ada · 2026-11-20 09:00 UTC');
    expect(renderHtml(reply, 'm')).toContain('Run by Ada · 2026-11-20 09:00 UTC');
    const forged = renderBlocks({ header: 'x', context: ['<!date^1^{date_short_pretty} {time}|<!channel>>'] });
    expect(JSON.stringify(forged.blocks)).not.toContain('<!channel>');
  });

  it('a date with a zone (a schedule\'s next run): Slack still each reader\'s own time; elsewhere the zone, not UTC', () => {
    const reply: Reply = { header: 'x', verdict: { status: 'info', text: `next run ${dateText('2027-03-29T06:00:00.000Z', 'Europe/Paris')}.` } };
    expect(JSON.stringify(renderBlocks(reply).blocks)).toContain('next run <!date^1806300000^{date_short_pretty} {time}|2027-03-29 06:00 UTC>.');
    expect(JSON.stringify(renderCards(reply)[0]!.body)).toContain('next run Mon, 29 Mar 2027, 08:00 (Europe/Paris).');
    expect(renderHtml(reply, 'm')).toContain('next run Mon, 29 Mar 2027, 08:00 (Europe/Paris).');
    // A zone that is not a zone name is not carried at all.
    expect(renderHtml({ header: 'x', context: [dateText('2027-03-29T06:00:00.000Z', '<b>')] }, 'm')).toContain('2027-03-29 06:00 UTC');
  });

  it('Teams: the approvers\' tag is a tag mention under the title; Slack groups and malformed ids are left out', () => {
    const tag = 'MjQzMmI1N2ItMGFiZC00M2RiLWFhN2ItMTZlYWRkMTE1ZDM0';
    const [card] = renderCards({ ...reply('Ada'), notify: [{ platform: 'teams', id: tag, name: 'Hyper-V <b>approvers' }, { platform: 'slack', id: 'S0APPROVERS' }, { platform: 'teams', id: 'no tag>', name: 'Evil' }] });
    expect(card!.body[1]).toMatchObject({ type: 'TextBlock', text: '<at>Hyper-V bapprovers</at> this needs your attention' });
    expect(card!.msteams?.entities).toEqual([{ type: 'mention', text: '<at>Hyper-V bapprovers</at>', mentioned: { id: tag, name: 'Hyper-V bapprovers', type: 'tag' } }]);
    expect(JSON.stringify(card)).not.toContain('S0APPROVERS');
    expect(JSON.stringify(card)).not.toContain('Evil');
    // No group, no line.
    expect(JSON.stringify(renderCards(reply('Ada'))[0])).not.toContain('this needs your attention');
  });

  it('Teams activities carry a summary for notifications', () => {
    const [card] = renderCards(reply('Ada'));
    expect(cardActivity(card!).summary).toBe('Fix plan pl_1 · HV01, HV02: Proposed by Ada. Needs an approver.');
  });

  it('no file in src/ writes Slack mention syntax', () => {
    const root = path.resolve(import.meta.dirname, '../../../src');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const offenders = files.filter((f) => /`<@\$\{|'<@'|"<@"/.test(readFileSync(path.join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
