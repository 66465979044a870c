import type { DirectionStatus } from '../diagnostics/findings.js';
import type { ReplyMatrix } from './reply.js';

// A large direction matrix in a sentence or three, by node rather than by pair: "HV17 and HV42
// cannot migrate out at all; nothing can migrate into HV33; 7 other directions blocked". A
// 64-node cluster has 4,032 directions; a person reads which nodes are broken, and the whole
// matrix goes in an attachment. A cell the matrix does not fill counts as unknown, never ok.

const status = (m: ReplyMatrix, from: string, to: string): DirectionStatus => m.cells[from]?.[to] ?? 'unknown';

/** "HV17", "HV17 and HV42", "HV01, HV02 and HV03", "HV01, …, HV06 and 4 more nodes". */
export function nodeList(names: string[], max = 6): string {
  if (names.length <= 1) return names.join('');
  if (names.length <= max) return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more nodes`;
}

export interface NodeSummary {
  /** Sources every direction out of which is blocked. */
  noWayOut: string[];
  /** Destinations every direction into which is blocked. */
  noWayIn: string[];
  /** Blocked directions neither of those explains. */
  otherBlocked: Array<{ from: string; to: string }>;
  unknown: number;
  blocked: number;
  total: number;
}

export function summariseByNode(m: ReplyMatrix): NodeSummary {
  const peers = (n: string) => m.nodes.filter((x) => x !== n);
  const multi = m.nodes.length > 2; // with two nodes, "all directions out" is one pair
  const noWayOut = multi ? m.nodes.filter((n) => peers(n).every((to) => status(m, n, to) === 'blocked')) : [];
  const noWayIn = multi ? m.nodes.filter((n) => !noWayOut.includes(n) && peers(n).filter((from) => !noWayOut.includes(from)).length > 0 && peers(n).every((from) => status(m, from, n) === 'blocked')) : [];
  const otherBlocked: NodeSummary['otherBlocked'] = [];
  let unknown = 0;
  let blocked = 0;
  let total = 0;
  for (const from of m.nodes) {
    for (const to of peers(from)) {
      total += 1;
      const s = status(m, from, to);
      if (s === 'unknown') unknown += 1;
      if (s !== 'blocked') continue;
      blocked += 1;
      if (!noWayOut.includes(from) && !noWayIn.includes(to)) otherBlocked.push({ from, to });
    }
  }
  return { noWayOut, noWayIn, otherBlocked, unknown, blocked, total };
}

/** The summary as sentences, most telling first; `listOthers` pairs are named, the rest counted. */
export function nodeSummaryLines(m: ReplyMatrix, listOthers = 5): string[] {
  const s = summariseByNode(m);
  const lines = [`${m.nodes.length} nodes, ${s.total} directions: ${s.total - s.blocked - s.unknown} ok, ${s.blocked} blocked, ${s.unknown} unknown.`];
  const parts: string[] = [];
  if (s.noWayOut.length) parts.push(`${nodeList(s.noWayOut)} cannot migrate out at all`);
  if (s.noWayIn.length) parts.push(`nothing can migrate into ${nodeList(s.noWayIn)}`);
  const others = s.otherBlocked.length;
  if (others) {
    const named = s.otherBlocked.slice(0, listOthers).map((p) => `${p.from} → ${p.to}`);
    const rest = others - named.length;
    const lead = parts.length ? `${others} other direction${others === 1 ? '' : 's'} blocked` : `${others} direction${others === 1 ? '' : 's'} blocked`;
    parts.push(`${lead}${named.length ? ` (${named.join(', ')}${rest ? ` and ${rest} more` : ''})` : ''}`);
  }
  if (parts.length) lines.push(`${parts.join('; ')}.`);
  if (s.unknown) lines.push(`${s.unknown} direction${s.unknown === 1 ? '' : 's'} could not be judged (evidence missing).`);
  return lines;
}
