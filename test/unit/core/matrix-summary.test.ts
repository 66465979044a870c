import { describe, expect, it } from 'vitest';
import { nodeList, nodeSummaryLines } from '../../../src/core/matrix-summary.js';
import type { ReplyMatrix } from '../../../src/core/reply.js';

// A 64-node result read by node: which nodes cannot migrate out or in at all, then the rest.

function matrix(n: number, blocked: (from: string, to: string) => boolean): ReplyMatrix {
  const nodes = Array.from({ length: n }, (_, i) => `HV${String(i + 1).padStart(2, '0')}`);
  const cells: ReplyMatrix['cells'] = {};
  for (const from of nodes) for (const to of nodes) if (from !== to) (cells[from] ??= {})[to] = blocked(from, to) ? 'blocked' : 'ok';
  return { nodes, cells };
}

describe('nodeSummaryLines', () => {
  it('64 nodes: two nodes that cannot migrate out, then the 7 other blocked directions, in three lines', () => {
    const others = new Set(['HV01>HV02', 'HV03>HV04', 'HV05>HV06', 'HV07>HV08', 'HV09>HV10', 'HV11>HV12', 'HV13>HV14']);
    const m = matrix(64, (from, to) => from === 'HV17' || from === 'HV42' || others.has(`${from}>${to}`));
    const lines = nodeSummaryLines(m);
    expect(lines).toEqual([
      '64 nodes, 4032 directions: 3899 ok, 133 blocked, 0 unknown.',
      'HV17 and HV42 cannot migrate out at all; 7 other directions blocked (HV01 → HV02, HV03 → HV04, HV05 → HV06, HV07 → HV08, HV09 → HV10 and 2 more).',
    ]);
  });

  it('a node nothing can migrate into', () => {
    const lines = nodeSummaryLines(matrix(5, (_from, to) => to === 'HV03'));
    expect(lines[1]).toBe('nothing can migrate into HV03.');
  });

  it('a missing cell is unknown, never ok', () => {
    const m = matrix(3, () => false);
    delete m.cells.HV01!.HV02;
    expect(nodeSummaryLines(m)).toContain('1 direction could not be judged (evidence missing).');
  });

  it('names long lists by count', () => {
    expect(nodeList(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'])).toBe('A, B, C, D, E, F and 2 more nodes');
  });
});
