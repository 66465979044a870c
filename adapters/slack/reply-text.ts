import type { Reply } from '../../src/core/reply.js';
import { MATRIX_LEGEND, matrixGrid } from './matrix-text.js';
import { SEVERITY_EMOJI, VERDICT_EMOJI, VERDICT_LABEL } from './status-emoji.js';

// The whole Reply as plain text, for the attachment a too-large message falls back to. Nothing is
// left out: every fact, every section line, the whole matrix and the small print.

export const FULL_RESULT_FILENAME = 'triage-result.txt';

export function replyAsText(reply: Reply): string {
  const out: string[] = [reply.header, '='.repeat(Math.min(reply.header.length, 80))];
  if (reply.verdict) out.push('', `${VERDICT_EMOJI[reply.verdict.status]} ${VERDICT_LABEL[reply.verdict.status]}: ${reply.verdict.text}`);
  if (reply.facts?.length) out.push('', ...reply.facts.map((f) => `${f.label}: ${f.value}`));
  if (reply.matrix) out.push('', 'Directions', matrixGrid(reply.matrix), MATRIX_LEGEND);
  for (const s of reply.sections ?? []) {
    out.push('', `${s.severity ? `${SEVERITY_EMOJI[s.severity]} ` : ''}${s.title}`, ...s.lines.map((l) => `  ${l}`));
  }
  if (reply.buttons?.length) out.push('', `Actions in the message: ${reply.buttons.map((b) => b.label).join(', ')}`);
  if (reply.context?.length) out.push('', ...reply.context);
  return `${out.join('\n')}\n`;
}
