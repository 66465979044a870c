import type { DirectionStatus } from '../../src/diagnostics/findings.js';
import type { ReplyMatrix } from '../../src/core/reply.js';
import { nodeSummaryLines } from '../../src/core/matrix-summary.js';

// The direction matrix as Adaptive Card Tables (schema 1.5). A Table wider than about 16
// columns is unreadable in Teams and heavy, so larger clusters get a summary on the main card
// and the full matrix in blocks of at most 16 × 16 on follow-up cards.

export const MAX_TABLE_NODES = 16;

type Element = Record<string, unknown>;

// "ok" stays in the default colour: the problems stand out, and a 16-node table (289 cells)
// stays small enough to share a message with the findings.
const CELL: Record<DirectionStatus, { text: string; color?: string }> = {
  ok: { text: 'ok' },
  blocked: { text: 'blocked', color: 'attention' },
  unknown: { text: 'unknown', color: 'warning' },
};

function cell(text: string, extra: Element = {}): Element {
  // No wrap: cells hold one short word, and a 16 × 16 table has 289 of them, so bytes count.
  return { type: 'TableCell', items: [{ type: 'TextBlock', text, ...extra }] };
}

function statusOf(m: ReplyMatrix, from: string, to: string): DirectionStatus | undefined {
  return m.cells[from]?.[to];
}

/** One Table: rows are sources, columns destinations (read "row → column"). */
export function matrixTable(m: ReplyMatrix, rows: string[], cols: string[]): Element {
  const header = { type: 'TableRow', cells: [cell('from → to', { weight: 'bolder' }), ...cols.map((c) => cell(c, { weight: 'bolder' }))] };
  const body = rows.map((from) => ({
    type: 'TableRow',
    cells: [
      cell(from, { weight: 'bolder' }),
      ...cols.map((to) => {
        if (from === to) return cell('—', { isSubtle: true });
        const s = statusOf(m, from, to);
        // A missing cell is not "ok": say it was not judged.
        const look = s ? CELL[s] : undefined;
        if (!look) return cell('n/a', { isSubtle: true });
        return cell(look.text, look.color ? { color: look.color } : {});
      }),
    ],
  }));
  return {
    type: 'Table',
    // firstRowAsHeader and showGridLines default to true in schema 1.5.
    gridStyle: 'default',
    columns: [{ width: 2 }, ...cols.map(() => ({ width: 1 }))],
    rows: [header, ...body],
  };
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The whole matrix as tables of at most `rows` sources × 16 destinations, with a caption each. */
export function matrixBlocks(m: ReplyMatrix, rows = MAX_TABLE_NODES): Element[][] {
  const rowChunks = chunk(m.nodes, rows);
  const colChunks = chunk(m.nodes, MAX_TABLE_NODES);
  const blocks: Element[][] = [];
  for (const [ri, block] of rowChunks.entries()) {
    for (const [ci, cols] of colChunks.entries()) {
      const caption = `Directions: sources ${ri * rows + 1}–${ri * rows + block.length}, destinations ${ci * MAX_TABLE_NODES + 1}–${ci * MAX_TABLE_NODES + cols.length} of ${m.nodes.length}`;
      blocks.push([{ type: 'TextBlock', text: caption, weight: 'bolder', wrap: true, spacing: 'medium' }, matrixTable(m, block, cols)]);
    }
  }
  return blocks;
}

export interface MatrixCounts {
  ok: number;
  blocked: number;
  unknown: number;
  total: number;
}

export function countDirections(m: ReplyMatrix): MatrixCounts {
  const counts: MatrixCounts = { ok: 0, blocked: 0, unknown: 0, total: 0 };
  for (const from of m.nodes) {
    for (const to of m.nodes) {
      if (from === to) continue;
      const s = statusOf(m, from, to);
      counts.total += 1;
      if (s) counts[s] += 1;
    }
  }
  return counts;
}

const LISTED_DIRECTIONS = 12;

/** Summary for a matrix too large for one table: counts and the first few non-ok directions. */
export function matrixSummary(m: ReplyMatrix, whereFull: string): Element[] {
  const c = countDirections(m);
  // By node, not by pair: which nodes cannot migrate out or in at all, then the rest, counted.
  const [, ...byNode] = nodeSummaryLines(m, LISTED_DIRECTIONS);
  const listed = byNode.map((line) => ({ type: 'TextBlock', text: line, wrap: true, spacing: 'small' }));
  return [
    { type: 'TextBlock', text: `Directions (${m.nodes.length} nodes)`, weight: 'bolder', wrap: true, spacing: 'medium' },
    {
      type: 'TextBlock',
      text: `${c.ok} of ${c.total} directions ok, ${c.blocked} blocked, ${c.unknown} unknown. ${whereFull}`,
      wrap: true,
    },
    ...listed,
  ];
}

const GRID_MARK: Record<DirectionStatus, string> = { ok: '.', blocked: 'X', unknown: '?' };

/**
 * The whole matrix as one monospace block: a row per source, a character per destination
 * (. ok, X blocked, ? unknown), columns numbered. A 64-node matrix is about 5,000 characters, one
 * follow-up message, where Tables of 16 × 16 took sixteen.
 */
export function matrixCompactGrid(m: ReplyMatrix): Element[] {
  const width = Math.max(...m.nodes.map((n) => n.length), 4);
  const numbers = m.nodes.map((_, i) => String(i + 1));
  const tens = numbers.map((n) => (n.length > 1 ? n.at(-2)! : ' ')).join('');
  const ones = numbers.map((n) => n.at(-1)!).join('');
  const rows = m.nodes.map((from, i) => `${String(i + 1).padStart(3)} ${from.padEnd(width)} ${m.nodes.map((to) => (to === from ? '-' : GRID_MARK[statusOf(m, from, to) ?? 'unknown'])).join('')}`);
  const pad = ' '.repeat(width + 5);
  return [
    { type: 'TextBlock', text: `Directions, all ${m.nodes.length} nodes (row = from, column = to by number; . ok, X blocked, ? unknown)`, weight: 'bolder', wrap: true, spacing: 'medium' },
    { type: 'TextBlock', text: [`${pad}${tens}`, `${pad}${ones}`, ...rows].join('\n'), fontType: 'monospace', size: 'small', spacing: 'none' },
  ];
}
