import { describe, expect, it } from 'vitest';
import type { types } from '@slack/bolt';
import { checkLimits } from '../../../../adapters/slack/limits.js';

const section = (text: string): types.KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (i: number, value = 'r'): types.Button => ({ type: 'button', action_id: `a${i}`, text: { type: 'plain_text', text: 'x' }, value });

describe('checkLimits', () => {
  it('accepts a message at every limit', () => {
    const blocks: types.KnownBlock[] = [
      { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(150) } },
      section('s'.repeat(3000)),
      { type: 'section', fields: Array.from({ length: 10 }, () => ({ type: 'mrkdwn' as const, text: 'f' })) },
      { type: 'actions', elements: Array.from({ length: 25 }, (_, i) => button(i, 'v'.repeat(2000))) },
      ...Array.from({ length: 46 }, () => section('x')),
    ];
    expect(blocks).toHaveLength(50);
    expect(checkLimits({ text: 't', blocks })).toEqual([]);
  });

  it('names each limit a message breaks', () => {
    const blocks: types.KnownBlock[] = [
      { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
      section('s'.repeat(3001)),
      { type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn' as const, text: 'f' })) },
      { type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(i)) },
      { type: 'actions', elements: [button(100, 'v'.repeat(2001)), button(100)] },
      ...Array.from({ length: 46 }, () => section('x')),
    ];
    const problems = checkLimits({ text: 't', blocks });
    expect(problems).toEqual([
      'blocks in message: 51 > 50',
      'block 0 (header) header text: 151 > 150',
      'block 1 (section) section text: 3001 > 3000',
      'block 2 (section) section fields: 11 > 10',
      'block 3 (actions) actions elements: 26 > 25',
      'block 4 (actions) element 0 (button) button value: 2001 > 2000',
      'block 4 (actions) element 1 (button): duplicate action_id a100',
    ]);
  });
});
