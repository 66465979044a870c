import type { Reply, ReplyMatrix } from '../../src/core/reply.js';
import { withPlainMentions } from '../../src/core/mention.js';

// A check run as one static HTML page (GET /reports/<id>, see http-server.ts): what a Teams card
// cannot hold — the whole direction matrix and every finding. No script at all, every piece of
// text escaped, and the response forbids anything but the inline style (CSP in http-server.ts).

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CELL = { ok: 'ok', blocked: 'blocked', unknown: '?' } as const;

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#222}
.verdict{padding:.5rem .75rem;border-left:4px solid #888;background:#f4f4f4}
.verdict-blocked{border-color:#c4314b}.verdict-healthy{border-color:#237b4b}.verdict-degraded,.verdict-unknown{border-color:#c19c00}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}
.matrix-box{overflow:auto;max-width:100%;max-height:80vh;border:1px solid #ccc}
table{border-collapse:collapse;font:12px ui-monospace,monospace}th,td{border:1px solid #ddd;padding:2px 4px;white-space:nowrap}
thead th{position:sticky;top:0;background:#fff}tbody th{position:sticky;left:0;background:#fff;text-align:left}
.cell-blocked{background:#fde7e9;color:#a4262c}.cell-unknown{background:#fff4ce}.self{color:#aaa}
.sev-error h2{color:#a4262c}.sev-warning h2{color:#8a6d00}li.detail{list-style:none;color:#555;font-size:.9em}
.context{color:#666;font-size:.9em;margin-top:1.5rem}`;

function matrixHtml(m: ReplyMatrix): string {
  const head = `<thead><tr><th scope="col">from \\ to</th>${m.nodes.map((n) => `<th scope="col">${escapeHtml(n)}</th>`).join('')}</tr></thead>`;
  const rows = m.nodes.map((from) => {
    const cells = m.nodes.map((to) => {
      if (from === to) return '<td class="self">·</td>';
      // A cell the matrix does not fill was not judged: unknown, never ok.
      const status = m.cells[from]?.[to] ?? 'unknown';
      return `<td class="cell-${status}" title="${escapeHtml(`${from} → ${to}: ${status}`)}">${CELL[status]}</td>`;
    });
    return `<tr><th scope="row">${escapeHtml(from)}</th>${cells.join('')}</tr>`;
  });
  return `<h2>Directions (row → column)</h2><div class="matrix-box"><table class="matrix">${head}<tbody>${rows.join('')}</tbody></table></div>`;
}

export function renderReportPage(given: Reply): string {
  // A web page has no chat mentions or local-time syntax: names and UTC times.
  const reply = withPlainMentions(given);
  const parts: string[] = [`<h1>${escapeHtml(reply.header)}</h1>`];
  if (reply.verdict) parts.push(`<p class="verdict verdict-${escapeHtml(reply.verdict.status)}">${escapeHtml(reply.verdict.text)}</p>`);
  if (reply.facts?.length) parts.push(`<dl>${reply.facts.map((f) => `<dt>${escapeHtml(f.label)}</dt><dd>${escapeHtml(f.value)}</dd>`).join('')}</dl>`);
  if (reply.matrix && reply.matrix.nodes.length > 0) parts.push(matrixHtml(reply.matrix));
  for (const s of reply.sections ?? []) {
    // Indented lines are a finding's evidence.
    const items = s.lines.map((l) => (/^\s/.test(l) ? `<li class="detail">${escapeHtml(l.trim())}</li>` : `<li>${escapeHtml(l)}</li>`));
    const body = s.preformatted ? `<pre>${escapeHtml(s.lines.join('\n'))}</pre>` : `<ul>${items.join('')}</ul>`;
    parts.push(`<section class="sev-${escapeHtml(s.severity ?? 'none')}"><h2>${escapeHtml(s.title)}</h2>${body}</section>`);
  }
  if (reply.context?.length) parts.push(`<p class="context">${reply.context.map(escapeHtml).join(' · ')}</p>`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(reply.header)}</title><style>${STYLE}</style></head><body>${parts.join('')}</body></html>`;
}
