import type { types } from '@slack/bolt';
import type { Reply, ReplyAttachment } from '../../src/core/reply.js';
import {
  actionBlocks,
  contextBlocks,
  factBlocks,
  findingBlocks,
  gridFits,
  headerBlocks,
  matrixBlocks,
  sectionsFor,
  verdictBlocks,
} from './blocks.js';
import { checkLimits } from './limits.js';
import { matrixCsv, matrixSummaryLines } from './matrix-text.js';
import { brief, escapeMrkdwn } from './mrkdwn.js';
import { FULL_RESULT_FILENAME, replyAsText } from './reply-text.js';
import { VERDICT_EMOJI, VERDICT_LABEL } from './status-emoji.js';
import { groupMentions, withSlackMentions } from './mentions.js';

// Reply → Block Kit, as a pure function. The message first tries to carry everything; when it
// breaks a Block Kit limit (checked, not guessed), it becomes a summary and the whole content
// moves into a text attachment. Nothing is ever cut without saying where the rest is.

export interface RenderedMessage {
  /** Notification / fallback text. */
  text: string;
  blocks: types.KnownBlock[];
  /** Files to upload with the message (Reply attachments and any the renderer made). */
  files?: ReplyAttachment[];
}

export function renderBlocks(given: Reply): RenderedMessage {
  const reply = withSlackMentions(given);
  const groups = groupMentions(reply);
  const full = withNotify(fullMessage(reply), groups);
  if (checkLimits(full).length === 0) return full;
  return withNotify(summaryMessage(reply), groups);
}

/** Groups to notify: a line under the header and in the notification text (ids checked in mentions.ts). */
function withNotify(message: RenderedMessage, groups: string[]): RenderedMessage {
  if (groups.length === 0) return message;
  const line = `${groups.join(' ')} this needs your attention`;
  const [head, ...rest] = message.blocks;
  return { ...message, text: `${line} · ${message.text}`, blocks: [head!, { type: 'section', text: { type: 'mrkdwn', text: line } }, ...rest] };
}

/** The notification text, escaped like the blocks: Slack parses `<!channel>` in it too. */
export function fallbackText(reply: Reply): string {
  return escapeMrkdwn(rawFallbackText(reply));
}

function rawFallbackText(reply: Reply): string {
  if (!reply.verdict) return reply.header;
  const label = VERDICT_LABEL[reply.verdict.status];
  const text = reply.verdict.text.toLowerCase().startsWith(label.toLowerCase()) ? reply.verdict.text : `${label}: ${reply.verdict.text}`;
  return `${VERDICT_EMOJI[reply.verdict.status]} ${reply.header} — ${text}`;
}

function withFiles(message: { text: string; blocks: types.KnownBlock[] }, files: ReplyAttachment[]): RenderedMessage {
  return files.length ? { ...message, files } : message;
}

function fullMessage(reply: Reply): RenderedMessage {
  const blocks: types.KnownBlock[] = [...headerBlocks(reply)];
  const files = [...(reply.attachments ?? [])];
  if (reply.verdict) blocks.push(...verdictBlocks(reply.verdict));
  if (reply.facts?.length) blocks.push(...factBlocks(reply.facts));
  if (reply.matrix && reply.matrix.nodes.length > 1) {
    blocks.push(...matrixBlocks(reply.matrix));
    if (!gridFits(reply.matrix)) files.push(matrixCsv(reply.matrix));
  }
  if (reply.sections?.length) {
    blocks.push({ type: 'divider' });
    for (const s of reply.sections) blocks.push(...findingBlocks(s));
  }
  if (reply.buttons?.length) blocks.push(...actionBlocks(reply.buttons));
  if (reply.context?.length) blocks.push(...contextBlocks(reply.context));
  return withFiles({ text: fallbackText(reply), blocks }, files);
}

/**
 * What a too-large Reply becomes: verdict, counts, the buttons, and everything else as a file.
 * Every part is bounded here (a long verdict or title is shortened with a pointer to the file),
 * so the summary itself always fits.
 */
function summaryMessage(reply: Reply): RenderedMessage {
  const files: ReplyAttachment[] = [...(reply.attachments ?? []), { filename: FULL_RESULT_FILENAME, mimeType: 'text/plain', content: replyAsText(reply) }];
  const short = (text: string, max: number): string => brief(text, max, FULL_RESULT_FILENAME);
  const bounded: Reply = {
    ...reply,
    header: short(reply.header, 500),
    ...(reply.verdict ? { verdict: { ...reply.verdict, text: short(reply.verdict.text, 2500) } } : {}),
    ...(reply.context ? { context: reply.context.slice(0, 10).map((c) => short(c, 250)) } : {}),
  };
  const blocks: types.KnownBlock[] = [...headerBlocks(bounded)];
  if (bounded.verdict) blocks.push(...verdictBlocks(bounded.verdict));
  if (reply.matrix && reply.matrix.nodes.length > 1) {
    blocks.push(...sectionsFor(['*Directions*', ...matrixSummaryLines(reply.matrix).map(escapeMrkdwn)]));
    files.push(matrixCsv(reply.matrix));
  }
  const counts = (reply.sections ?? []).slice(0, 40).map((s) => short(`${s.title}: ${s.lines.length} line${s.lines.length === 1 ? '' : 's'}`, 70));
  blocks.push(
    ...sectionsFor([
      `_This result is too large for one Slack message. The whole of it is in the attached \`${FULL_RESULT_FILENAME}\`._`,
      ...counts.map((c) => `• ${escapeMrkdwn(c)}`),
    ]),
  );
  if (reply.buttons?.length) blocks.push(...actionBlocks(reply.buttons));
  if (bounded.context?.length) blocks.push(...contextBlocks(bounded.context));
  return withFiles({ text: short(fallbackText(reply), 3000), blocks }, files);
}
