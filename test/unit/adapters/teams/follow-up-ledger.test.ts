import { describe, expect, it } from 'vitest';
import { FollowUpLedger } from '../../../../adapters/teams/follow-up-ledger.js';
import type { AdaptiveCard } from '../../../../adapters/teams/render.js';

const card = (title: string, body: string): AdaptiveCard => ({
  type: 'AdaptiveCard',
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  version: '1.5',
  body: [{ type: 'TextBlock', text: title }, { type: 'TextBlock', text: body }],
});

describe('FollowUpLedger', () => {
  it('knows a follow-up by its content, not its "part i of n" title, per thread, for 15 minutes', () => {
    let now = 0;
    const ledger = new FollowUpLedger(() => now);
    ledger.record('c/t1', [card('x (part 2 of 4)', 'matrix block A')]);
    expect(ledger.unseen('c/t1', [card('x (part 2 of 3)', 'matrix block A'), card('x (part 3 of 3)', 'block B')]).map((c) => c.body[1]!.text)).toEqual(['block B']);
    expect(ledger.unseen('c/t2', [card('x (part 2 of 3)', 'matrix block A')])).toHaveLength(1);
    now = 15 * 60_000 + 1;
    expect(ledger.unseen('c/t1', [card('x (part 2 of 3)', 'matrix block A')])).toHaveLength(1);
  });
});
