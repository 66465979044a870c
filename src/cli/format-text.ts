import type { Diagnosis, Direction, Finding } from '../diagnostics/findings.js';

// Human output of `triage check`: verdict first, then the direction matrix, then findings with
// their evidence, wrapped to fit an 80-column terminal.

const WIDTH = 80;
const CELL = { ok: 'ok', blocked: 'BLOCK', unknown: '?' } as const;

export function wrap(text: string, indent: number, width = WIDTH): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const piece = word.length > width - indent ? `${word.slice(0, width - indent - 1)}…` : word;
    if (line && pad.length + line.length + 1 + piece.length > width) {
      lines.push(pad + line);
      line = piece;
    } else line = line ? `${line} ${piece}` : piece;
  }
  if (line) lines.push(pad + line);
  return lines;
}

function verdictLines(d: Diagnosis): string[] {
  const count = (s: Direction['status']) => d.directions.filter((x) => x.status === s).length;
  const total = d.directions.length;
  const head = `${d.verdict.status.toUpperCase()}: ${count('ok')} of ${total} directions ok, ${count('blocked')} blocked, ${count('unknown')} unknown.`;
  const lines = wrap(head, 0);
  if (d.verdict.rootCauses.length) lines.push(...wrap(`Root causes: ${d.verdict.rootCauses.join(', ')}.`, 0));
  if (d.verdict.fixableCauses.length) lines.push(...wrap(`The bot can propose a fix for: ${d.verdict.fixableCauses.join(', ')}.`, 0));
  if (d.verdict.manualCauses.length) lines.push(...wrap(`Needs a person: ${d.verdict.manualCauses.join(', ')}.`, 0));
  return lines;
}

/** The matrix as a grid when it fits 80 columns, otherwise one line per direction that is not ok. */
export function matrixLines(d: Diagnosis): string[] {
  const status = new Map(d.directions.map((x) => [`${x.from}\u0000${x.to}`, x.status]));
  const nameWidth = Math.max(4, ...d.nodes.map((n) => n.length));
  const cellWidth = Math.max(5, ...d.nodes.map((n) => n.length)) + 1;
  if (nameWidth + 4 + cellWidth * d.nodes.length <= WIDTH) {
    const lines = ['Directions (row = source, column = destination):'];
    lines.push(' '.repeat(nameWidth + 4) + d.nodes.map((n) => n.padEnd(cellWidth)).join('').trimEnd());
    for (const from of d.nodes) {
      const cells = d.nodes.map((to) => (from === to ? '-' : CELL[status.get(`${from}\u0000${to}`) ?? 'unknown']).padEnd(cellWidth));
      lines.push(`  ${from.padEnd(nameWidth + 2)}${cells.join('')}`.trimEnd());
    }
    return lines;
  }
  const notOk = d.directions.filter((x) => x.status !== 'ok');
  const lines = [`Directions: ${d.directions.length - notOk.length} ok; not ok:`];
  for (const x of notOk) lines.push(...wrap(`${x.from} -> ${x.to}: ${x.status}${x.blockedBy.length ? ` (${x.blockedBy.join(', ')})` : ''}`, 2));
  return lines;
}

/** Evidence in a terminal: each value at most EVIDENCE_VALUE characters (--json has it whole). */
const EVIDENCE_VALUE = 160;

function evidenceText(evidence: Record<string, unknown>): string {
  return Object.entries(evidence)
    .map(([k, v]) => {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      return `${k}=${text.length > EVIDENCE_VALUE ? `${text.slice(0, EVIDENCE_VALUE - 1)}…` : text}`;
    })
    .join('; ');
}

function findingLines(f: Finding): string[] {
  const where = f.peer ? `${f.node} -> ${f.peer}` : (f.node ?? 'all nodes');
  const lines = [`${f.severity.toUpperCase().padEnd(8)}${f.code}  ${where}`];
  lines.push(...wrap(f.message, 8));
  const ev = evidenceText(f.evidence);
  if (ev) lines.push(...wrap(`evidence: ${ev}`, 8));
  return lines;
}

export function formatDiagnosis(d: Diagnosis, context: string): string {
  const out = [...verdictLines(d), '', ...matrixLines(d), ''];
  if (d.findings.length === 0) out.push('Findings: none.');
  else {
    out.push(`Findings (${d.findings.length}):`);
    for (const f of d.findings) out.push(...findingLines(f));
  }
  out.push('', ...wrap(context, 0));
  return out.join('\n');
}
