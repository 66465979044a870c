import type { DirectionStatus } from '../../src/diagnostics/findings.js';
import type { ReplyMatrix } from '../../src/core/reply.js';

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
  const notOk: string[] = [];
  for (const from of m.nodes) {
    for (const to of m.nodes) {
      const s = from === to ? undefined : statusOf(m, from, to);
      if (s === 'blocked' || s === 'unknown') notOk.push(`${from} → ${to}: ${s}`);
    }
  }
  const listed = notOk.slice(0, LISTED_DIRECTIONS).map((line) => ({ type: 'TextBlock', text: line, wrap: true, spacing: 'none' }));
  const more = notOk.length > LISTED_DIRECTIONS ? [`and ${notOk.length - LISTED_DIRECTIONS} more.`] : [];
  return [
    { type: 'TextBlock', text: `Directions (${m.nodes.length} nodes)`, weight: 'bolder', wrap: true, spacing: 'medium' },
    {
      type: 'TextBlock',
      text: `${c.ok} of ${c.total} directions ok, ${c.blocked} blocked, ${c.unknown} unknown. ${whereFull}`,
      wrap: true,
    },
    ...listed,
    ...more.map((text) => ({ type: 'TextBlock', text, wrap: true, isSubtle: true, spacing: 'none' })),
  ];
}
