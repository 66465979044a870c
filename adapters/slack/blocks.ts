import type { types } from '@slack/bolt';
import type { Reply, ReplyButton, ReplyMatrix, ReplySection } from '../../src/core/reply.js';
import { actionIdFor, choiceBlockId } from './action-id.js';
import { LIMITS } from './limits.js';
import { GRID_MAX_NODES, MATRIX_LEGEND, matrixGrid, matrixSummaryLines } from './matrix-text.js';
import { chunkLines, escapeMrkdwn } from './mrkdwn.js';
import { SEVERITY_EMOJI, VERDICT_EMOJI, VERDICT_LABEL } from './status-emoji.js';

// Builders for each part of a Reply. Each returns whole blocks that respect the per-block limits
// by splitting (a long section becomes several); render.ts checks the message as a whole.

type Block = types.KnownBlock;
type ActionsElement = types.ActionsBlockElement;

const mrkdwn = (text: string): types.MrkdwnElement => ({ type: 'mrkdwn', text });
const plain = (text: string): types.PlainTextElement => ({ type: 'plain_text', text, emoji: true });

/** Sections for mrkdwn lines, split so no section text exceeds the limit. */
export function sectionsFor(lines: string[]): Block[] {
  return chunkLines(lines, LIMITS.sectionText).map((text) => ({ type: 'section', text: mrkdwn(text) }));
}

export function headerBlocks(reply: Reply): Block[] {
  const emoji = reply.verdict ? `${VERDICT_EMOJI[reply.verdict.status]} ` : '';
  const title = `${emoji}${reply.header}`;
  // A header block holds 150 characters; a longer title becomes a bold section instead of being cut.
  if (title.length <= LIMITS.headerText) return [{ type: 'header', text: plain(title) }];
  return sectionsFor([`*${escapeMrkdwn(title)}*`]);
}

export function verdictBlocks(verdict: NonNullable<Reply['verdict']>): Block[] {
  return sectionsFor([verdictLine(verdict)]);
}

/** "*Blocked* — text", or "*Blocked:* rest" when the core's text already starts with the label. */
function verdictLine(verdict: NonNullable<Reply['verdict']>): string {
  const label = VERDICT_LABEL[verdict.status];
  const match = new RegExp(`^(${label}:?)(\\s|$)`, 'i').exec(verdict.text);
  if (!match) return `*${label}* — ${escapeMrkdwn(verdict.text)}`;
  return `*${escapeMrkdwn(match[1]!)}*${escapeMrkdwn(verdict.text.slice(match[1]!.length))}`;
}

export function factBlocks(facts: NonNullable<Reply['facts']>): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < facts.length; i += LIMITS.sectionFields) {
    const fields = facts.slice(i, i + LIMITS.sectionFields).map((f) => mrkdwn(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`));
    blocks.push({ type: 'section', fields });
  }
  return blocks;
}

const gridSection = (m: ReplyMatrix): string => `*Directions*\n\`\`\`\n${escapeMrkdwn(matrixGrid(m))}\n\`\`\``;

/** The grid is shown for up to GRID_MAX_NODES nodes, when it fits one section (long FQDNs may not). */
export function gridFits(m: ReplyMatrix): boolean {
  return m.nodes.length <= GRID_MAX_NODES && gridSection(m).length <= LIMITS.sectionText;
}

/** Grid in a code block when it fits; otherwise counts and blocked pairs (the CSV is attached). */
export function matrixBlocks(m: ReplyMatrix): Block[] {
  if (gridFits(m)) return [{ type: 'section', text: mrkdwn(gridSection(m)) }, { type: 'context', elements: [mrkdwn(MATRIX_LEGEND)] }];
  return sectionsFor(['*Directions*', ...matrixSummaryLines(m).map(escapeMrkdwn)]);
}

export function findingBlocks(section: ReplySection): Block[] {
  const icon = section.severity ? `${SEVERITY_EMOJI[section.severity]} ` : '';
  const title = `*${icon}${escapeMrkdwn(section.title)}*`;
  if (section.preformatted) {
    // One code block, so a copy takes the lines as they are (no bullets, no mrkdwn); only Slack's
    // three entities are escaped, which Slack shows as the characters again, code block or not.
    const text = `${title}\n\`\`\`\n${section.lines.map(escapeMrkdwn).join('\n')}\n\`\`\``;
    if (text.length <= LIMITS.sectionText) return [{ type: 'section', text: mrkdwn(text) }];
  }
  return sectionsFor([title, ...section.lines.map(findingLine)]);
}

/** A line is a bullet; an indented line continues the one above it (evidence), so it gets an arrow. */
function findingLine(line: string): string {
  const trimmed = line.trimStart();
  return trimmed.length < line.length ? `      ↳ ${escapeMrkdwn(trimmed)}` : `• ${escapeMrkdwn(line)}`;
}

/** Buttons in actions blocks of at most 25; a button with choices becomes a select in its own block. */
export function actionBlocks(buttons: ReplyButton[]): Block[] {
  const blocks: Block[] = [];
  const seen = new Map<string, number>();
  let pending: ActionsElement[] = [];
  const flush = (): void => {
    if (pending.length) blocks.push({ type: 'actions', elements: pending });
    pending = [];
  };
  buttons.forEach((b, index) => {
    const nextActionId = (): string => {
      const occurrence = (seen.get(b.action) ?? 0) + 1;
      seen.set(b.action, occurrence);
      return actionIdFor(b.action, occurrence);
    };
    if (b.choices?.length) {
      flush();
      // More choices than one menu holds become several menus, each labelled with its range.
      const parts = Math.ceil(b.choices.length / LIMITS.selectOptions);
      for (let part = 0; part < parts; part += 1) {
        const start = part * LIMITS.selectOptions;
        const choices = b.choices.slice(start, start + LIMITS.selectOptions);
        const label = parts === 1 ? b.label : `${b.label} (${start + 1}–${start + choices.length} of ${b.choices.length})`;
        const select = selectElement(label, choices, nextActionId());
        blocks.push({ type: 'actions', block_id: choiceBlockId(`${index}-${part}`, b.recordId), elements: [select] });
      }
      return;
    }
    if (pending.length === LIMITS.actionsElements) flush();
    pending.push(buttonElement(b, nextActionId()));
  });
  flush();
  return blocks;
}

function buttonElement(b: ReplyButton, actionId: string): types.Button {
  const button: types.Button = { type: 'button', action_id: actionId, text: plain(b.label), value: b.recordId };
  if (b.style) button.style = b.style;
  // Slack's own dialog: the click is sent only after "yes" (limits: title/yes/no 30, text 300).
  if (b.confirm) {
    button.confirm = {
      title: plain(b.confirm.title.slice(0, 100)),
      text: plain(b.confirm.text.slice(0, 300)),
      confirm: plain(b.confirm.yes.slice(0, 30)),
      deny: plain(b.confirm.no.slice(0, 30)),
      ...(b.style === 'danger' ? { style: 'danger' as const } : {}),
    };
  }
  return button;
}

function selectElement(label: string, choices: NonNullable<ReplyButton['choices']>, actionId: string): types.StaticSelect {
  return {
    type: 'static_select',
    action_id: actionId,
    placeholder: plain(label),
    options: choices.map((c) => ({ text: plain(c.label), value: c.value })),
  };
}

/** The small print, one element per line; lines beyond the element limit share the last one. */
export function contextBlocks(lines: string[]): Block[] {
  const keep = lines.slice(0, LIMITS.contextElements - 1);
  const rest = lines.slice(LIMITS.contextElements - 1);
  const elements = (rest.length ? [...keep, rest.join(' · ')] : keep).map(escapeMrkdwn);
  if (elements.every((e) => e.length <= LIMITS.contextText)) return [{ type: 'context', elements: elements.map(mrkdwn) }];
  return sectionsFor(lines.map((l) => `_${escapeMrkdwn(l)}_`));
}
