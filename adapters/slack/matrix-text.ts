import type { DirectionStatus } from '../../src/diagnostics/findings.js';
import type { ReplyAttachment, ReplyMatrix } from '../../src/core/reply.js';
import { DIRECTION_EMOJI } from './status-emoji.js';
import { nodeSummaryLines } from '../../src/core/matrix-summary.js';

// The direction matrix as text: a compact grid (rows = from, columns = to) for small clusters,
// a summary plus a CSV attachment for large ones. A cell the Reply does not fill is shown as
// unknown: missing evidence is never "ok".

export const GRID_MAX_NODES = 16;
export const BLOCKED_PAIRS_LISTED = 20;
export const MATRIX_FILENAME = 'direction-matrix.csv';
const DIAGONAL = '➖';

export function cellStatus(m: ReplyMatrix, from: string, to: string): DirectionStatus {
  return m.cells[from]?.[to] ?? 'unknown';
}

/** Every ordered pair of distinct nodes, in node order. */
export function orderedPairs(m: ReplyMatrix): Array<{ from: string; to: string; status: DirectionStatus }> {
  return m.nodes.flatMap((from) => m.nodes.filter((to) => to !== from).map((to) => ({ from, to, status: cellStatus(m, from, to) })));
}

/**
 * The grid, meant for a code block. Columns are numbered (names would make it too wide); each
 * row starts with the same number and the node's name. Emoji are two columns wide in Slack's
 * monospace font, so numbers are padded to two.
 */
export function matrixGrid(m: ReplyMatrix): string {
  const labels = m.nodes.map((n, i) => `${String(i + 1).padStart(2)} ${n}`);
  const width = Math.max('from ↓ / to →'.length, ...labels.map((l) => l.length));
  const head = `${'from ↓ / to →'.padEnd(width)}  ${m.nodes.map((_, i) => String(i + 1).padStart(2)).join(' ')}`;
  const rows = m.nodes.map((from, r) => {
    const cells = m.nodes.map((to) => (to === from ? DIAGONAL : DIRECTION_EMOJI[cellStatus(m, from, to)]));
    return `${labels[r]!.padEnd(width)}  ${cells.join(' ')}`;
  });
  return [head, ...rows].join('\n');
}

export const MATRIX_LEGEND = `${DIRECTION_EMOJI.ok} ok · ${DIRECTION_EMOJI.blocked} blocked · ${DIRECTION_EMOJI.unknown} unknown · rows = from, columns = to`;

export function statusCounts(m: ReplyMatrix): Record<DirectionStatus, number> {
  const counts: Record<DirectionStatus, number> = { ok: 0, blocked: 0, unknown: 0 };
  for (const p of orderedPairs(m)) counts[p.status] += 1;
  return counts;
}

/**
 * Summary lines for a matrix too large for a grid: counts, then by node ("HV17 and HV42 cannot
 * migrate out at all; 7 other directions blocked"), never a list of hundreds of pairs.
 */
export function matrixSummaryLines(m: ReplyMatrix, limit = BLOCKED_PAIRS_LISTED): string[] {
  const c = statusCounts(m);
  const total = c.ok + c.blocked + c.unknown;
  const [, ...byNode] = nodeSummaryLines(m, Math.min(limit, 5));
  return [
    `${m.nodes.length} nodes, ${total} directions: ${DIRECTION_EMOJI.ok} ${c.ok} ok · ${DIRECTION_EMOJI.blocked} ${c.blocked} blocked · ${DIRECTION_EMOJI.unknown} ${c.unknown} unknown`,
    ...byNode,
    `The full matrix is in ${MATRIX_FILENAME}.`,
  ];
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The whole matrix as CSV: first column = from, header row = to, cells ok | blocked | unknown | -. */
export function matrixCsv(m: ReplyMatrix): ReplyAttachment {
  const head = ['from \\ to', ...m.nodes].map(csvField).join(',');
  const rows = m.nodes.map((from) => [from, ...m.nodes.map((to) => (to === from ? '-' : cellStatus(m, from, to)))].map(csvField).join(','));
  return { filename: MATRIX_FILENAME, mimeType: 'text/csv', content: `${[head, ...rows].join('\n')}\n` };
}
