import type { Reply, ReplyButton, ReplyMatrix } from '../../src/core/reply.js';
import { withPlainMentions } from '../../src/core/mention.js';

// A Reply as HTML for the lab console: a pure function, every piece of text escaped. Buttons
// carry only the action and the opaque record id, like on Slack and Teams.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

// Words, not emoji: the console must read the same on machines without an emoji font.
const CELL = { ok: 'ok', blocked: 'blocked', unknown: '?' } as const;

function matrixHtml(m: ReplyMatrix): string {
  const head = `<tr><th scope="col">from \\ to</th>${m.nodes.map((n) => `<th scope="col">${escapeHtml(n)}</th>`).join('')}</tr>`;
  const rows = m.nodes.map((from) => {
    const cells = m.nodes.map((to) => {
      if (from === to) return '<td class="self">·</td>';
      const status = m.cells[from]?.[to] ?? 'unknown';
      return `<td class="cell-${status}" data-from="${escapeHtml(from)}" data-to="${escapeHtml(to)}" title="${escapeHtml(`${from} → ${to}: ${status}`)}">${CELL[status]}</td>`;
    });
    return `<tr><th scope="row">${escapeHtml(from)}</th>${cells.join('')}</tr>`;
  });
  // The box scrolls (both ways, sticky headers): a 64-node matrix never makes the page wider.
  return `<div class="matrix-box" role="region" aria-label="Direction matrix" tabindex="0"><table class="matrix">${head}${rows.join('')}</table></div>`;
}

function buttonHtml(b: ReplyButton): string {
  // A click that writes asks first: the console arms the button, and a second click sends it.
  const confirm = b.confirm ? ` data-confirm="${escapeHtml(b.confirm.text)}" data-confirm-yes="${escapeHtml(b.confirm.yes)}"` : '';
  const attrs = `data-action="${escapeHtml(b.action)}" data-record="${escapeHtml(b.recordId)}" class="btn ${b.style ?? ''}"${confirm}`;
  if (!b.choices?.length) return `<button type="button" ${attrs}>${escapeHtml(b.label)}</button>`;
  const options = b.choices.map((c) => `<option value="${escapeHtml(c.value)}">${escapeHtml(c.label)}</option>`).join('');
  return `<span class="choice"><select aria-label="${escapeHtml(b.label)}">${options}</select><button type="button" ${attrs}>${escapeHtml(b.label)}</button></span>`;
}

export function renderHtml(given: Reply, messageId: string): string {
  // The console has no mentions: a person is their name.
  const reply = withPlainMentions(given);
  const parts = [`<div class="msg-header">${escapeHtml(reply.header)}</div>`];
  if (reply.verdict) parts.push(`<div class="verdict verdict-${escapeHtml(reply.verdict.status)}" data-status="${escapeHtml(reply.verdict.status)}">${escapeHtml(reply.verdict.text)}</div>`);
  if (reply.facts?.length) parts.push(`<dl class="facts">${reply.facts.map((f) => `<dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.value)}</dd>`).join('')}</dl>`);
  if (reply.matrix) parts.push(matrixHtml(reply.matrix));
  for (const s of reply.sections ?? []) {
    const body = s.preformatted ? `<pre class="copy">${escapeHtml(s.lines.join('\n'))}</pre>` : `<ul>${s.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`;
    parts.push(`<section class="sec sev-${escapeHtml(s.severity ?? 'none')}"><h4>${escapeHtml(s.title)}</h4>${body}</section>`);
  }
  (reply.attachments ?? []).forEach((a, i) => parts.push(`<a class="attachment" href="/api/attachments/${escapeHtml(messageId)}/${i}" download="${escapeHtml(a.filename)}">📎 ${escapeHtml(a.filename)}</a>`));
  if (reply.buttons?.length) parts.push(`<div class="actions">${reply.buttons.map(buttonHtml).join('')}</div>`);
  if (reply.context?.length) parts.push(`<div class="context">${reply.context.map(escapeHtml).join(' · ')}</div>`);
  return parts.join('');
}
