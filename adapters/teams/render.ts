import type { Reply, ReplyAttachment, ReplyButton, ReplyMatrix, ReplySection } from '../../src/core/reply.js';
import { mapReplyText, plainDate, plainName, renderDates, renderMentions } from '../../src/core/mention.js';
import { MAX_ACTIVITY_BYTES, cardMessageBytes } from './card-size.js';
import { MAX_TABLE_NODES, matrixBlocks, matrixCompactGrid, matrixSummary, matrixTable } from './render-matrix.js';
import { packBodies, type Element } from './pack-cards.js';

// Reply → Adaptive Cards (schema 1.5), as a pure function. The first card is the message the
// core updates in place; anything that does not fit the size budget (a big matrix, long
// findings, attachments) follows on continuation cards, in order, never silently cut.

export type AdaptiveCard = {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5';
  body: Element[];
  actions?: Element[];
  /** What a notification or a host that cannot draw the card shows; also the activity's summary. */
  fallbackText?: string;
  msteams?: { width?: 'Full'; entities?: Element[] };
};

export interface RenderOptions {
  /** Budget per message in UTF-16 bytes (see card-size.ts). */
  maxBytes?: number;
  /**
   * Where the bot serves a check run's report (PUBLIC_BASE_URL/reports/<id>). Given, a reply that
   * does not fit one message gets a "Full matrix" button to the page: a big matrix is a summary,
   * and findings beyond one follow-up card are on the page (issue 20: at most 3 messages).
   */
  reportUrl?: (reportId: string) => string;
}

/** Input id of a button's choice list; the invoke's data carries the chosen value under it. */
export function choiceInputId(action: string): string {
  return `choice-${action}`;
}

const VERDICT_STYLE: Record<NonNullable<Reply['verdict']>['status'], { style: string; color: string }> = {
  healthy: { style: 'good', color: 'good' },
  blocked: { style: 'attention', color: 'attention' },
  degraded: { style: 'warning', color: 'warning' },
  unknown: { style: 'warning', color: 'warning' },
  error: { style: 'attention', color: 'attention' },
  info: { style: 'accent', color: 'accent' },
  pending: { style: 'emphasis', color: 'default' },
  awaiting: { style: 'accent', color: 'accent' },
};

const SEVERITY_COLOR = { error: 'attention', warning: 'warning', info: 'accent' } as const;
const MAX_CARD_ACTIONS = 5;

function text(value: string, extra: Element = {}): Element {
  return { type: 'TextBlock', text: value, wrap: true, ...extra };
}

function card(body: Element[], actions: Element[] = []): AdaptiveCard {
  const out: AdaptiveCard = { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', body };
  if (actions.length > 0) out.actions = actions;
  // Wide tables need the full message width in Teams; other hosts ignore this property.
  if (body.some((e) => e.type === 'Table')) out.msteams = { width: 'Full' };
  return out;
}

function headBlocks(reply: Reply): Element[] {
  const out: Element[] = [text(reply.header, { size: 'medium', weight: 'bolder' })];
  if (reply.verdict) {
    const v = VERDICT_STYLE[reply.verdict.status];
    out.push({ type: 'Container', style: v.style, items: [text(reply.verdict.text, { weight: 'bolder', color: v.color })] });
  }
  if (reply.facts?.length) out.push({ type: 'FactSet', facts: reply.facts.map((f) => ({ title: f.label, value: f.value })) });
  return out;
}

/** A section: its title, then one block per line; indented lines are details (evidence). */
export function sectionGroup(s: ReplySection, titleSuffix = ''): Element[] {
  const title = text(`${s.title}${titleSuffix}`, { weight: 'bolder', spacing: 'medium', ...(s.severity ? { color: SEVERITY_COLOR[s.severity] } : {}) });
  // Text to copy as it stands: monospace, one block per line (a TextBlock's single line breaks
  // are markdown's to keep or drop; separate blocks keep the lines apart in every Teams client).
  if (s.preformatted) return [title, ...s.lines.map((line, i) => text(line, { fontType: 'monospace', size: 'small', spacing: i === 0 ? 'small' : 'none' }))];
  const lines = s.lines.map((line) => (/^\s/.test(line) ? text(line.trim(), { isSubtle: true, size: 'small', spacing: 'none' }) : text(line, { spacing: 'small' })));
  return [title, ...lines];
}

const ATTACHMENT_CHUNK_CHARS = 4_000;

/** An attachment shown inline in monospace, in chunks (Teams bots cannot attach files to channels without Graph). */
export function attachmentGroup(a: ReplyAttachment): Element[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of a.content.split('\n')) {
    if (current.length + line.length + 1 > ATTACHMENT_CHUNK_CHARS && current) {
      chunks.push(current);
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current || chunks.length === 0) chunks.push(current);
  return [
    text(`Attachment: ${a.filename} (${a.mimeType})`, { weight: 'bolder', spacing: 'medium' }),
    ...chunks.map((c) => text(c, { fontType: 'monospace', size: 'small', spacing: 'none' })),
  ];
}

function choiceInputs(buttons: ReplyButton[]): Element[] {
  return buttons
    .filter((b) => b.choices?.length)
    .map((b) => ({
      type: 'Input.ChoiceSet',
      id: choiceInputId(b.action),
      label: b.label,
      value: b.choices![0]!.value,
      choices: b.choices!.map((c) => ({ title: c.label, value: c.value })),
    }));
}

function executeAction(b: ReplyButton): Element {
  const style = b.style === 'primary' ? { style: 'positive' } : b.style === 'danger' ? { style: 'destructive' } : {};
  // Only the opaque record id travels; the core looks everything else up.
  const execute = { type: 'Action.Execute', title: b.label, verb: b.action, data: { recordId: b.recordId }, ...style };
  if (!b.confirm) return execute;
  // Teams has no confirm dialog on a button: the button opens a confirmation card in place, and
  // only its "yes" sends the click.
  return {
    type: 'Action.ShowCard',
    title: b.label,
    ...style,
    card: {
      type: 'AdaptiveCard',
      body: [text(b.confirm.title, { weight: 'bolder' }), text(b.confirm.text)],
      actions: [{ ...execute, title: b.confirm.yes }],
    },
  };
}

/** Up to five buttons as card actions; more go into ActionSets in the body (Teams shows only a few card actions). */
function buttonParts(buttons: ReplyButton[]): { body: Element[]; actions: Element[] } {
  const actions = buttons.map(executeAction);
  if (actions.length <= MAX_CARD_ACTIONS) return { body: choiceInputs(buttons), actions };
  const sets: Element[] = [];
  for (let i = 0; i < actions.length; i += MAX_CARD_ACTIONS) sets.push({ type: 'ActionSet', actions: actions.slice(i, i + MAX_CARD_ACTIONS) });
  return { body: [...choiceInputs(buttons), ...sets], actions: [] };
}

function contextBlocks(reply: Reply): Element[] {
  return (reply.context ?? []).map((c, i) => text(c, { size: 'small', isSubtle: true, spacing: i === 0 ? 'medium' : 'none' }));
}

const CONTINUED_NOTE = 'Continued in the next messages.';
const REST_ON_PAGE = 'More findings, with their evidence, are on the report page: "Full matrix" below.';

/** A continuation card's title; measured as "part 999 of 999" before the count is known. */
const continuationTitle = (header: string, part = 999, total = 999): Element => text(`${header} (part ${part} of ${total})`, { weight: 'bolder' });

/** Every card for a Reply: the main card first, then continuations, each within the budget. */
export function renderCards(given: Reply, opts: RenderOptions = {}): AdaptiveCard[] {
  const { reply, entities } = withTeamsMentions(given);
  const notice = tagNotice(given, entities);
  // The summary (in the card and the activity) and the mention entities come on top of the
  // layout, so the layout's budget leaves room for them.
  const extra = 4 * summaryOf(reply).length + 2 * JSON.stringify([...entities.values()]).length + 200;
  const maxBytes = (opts.maxBytes ?? MAX_ACTIVITY_BYTES) - extra;
  const report = reply.reportId && opts.reportUrl ? opts.reportUrl(reply.reportId) : undefined;
  let cards = layoutCards(reply, { ...opts, maxBytes }, undefined, notice);
  // Linked only when it saves messages: a reply that fits one card stays as it is.
  if (report && cards.length > 1) cards = layoutCards(reply, { ...opts, maxBytes }, report, notice);
  return withSummary(withEntities(cards, entities), reply);
}

/** The notification text: title and verdict, bounded (Teams shows about a line of it). */
export function summaryOf(reply: Reply): string {
  const text = reply.verdict ? `${reply.header}: ${reply.verdict.text}` : reply.header;
  const plain = text.replace(/<\/?at>/g, '');
  return plain.length > 200 ? `${plain.slice(0, 199)}…` : plain;
}

function withSummary(cards: AdaptiveCard[], reply: Reply): AdaptiveCard[] {
  const summary = summaryOf(reply);
  return cards.map((c) => ({ ...c, fallbackText: summary }));
}

/** Each card carries the mention entities of the people it names (Teams needs both). */
function withEntities(cards: AdaptiveCard[], entities: Map<string, Element>): AdaptiveCard[] {
  if (entities.size === 0) return cards;
  return cards.map((c) => {
    const json = JSON.stringify(c.body);
    const used = [...entities].filter(([text]) => json.includes(JSON.stringify(text).slice(1, -1))).map(([, e]) => e);
    return used.length ? { ...c, msteams: { ...(c.msteams ?? {}), entities: used } } : c;
  });
}

// A Teams tag id (Microsoft Graph teamworkTag) and the name the mention shows.
const TEAMS_TAG_ID = /^[A-Za-z0-9+/=_-]{8,400}$/;

/**
 * The approvers' Teams tag on a new plan card: `<at>Name</at>` plus a mention entity whose
 * `mentioned.type` is "tag", the form Teams documents for tag mentions in Adaptive Cards sent by
 * bots (docs/teams.md). Only a group the bot's configuration names reaches here (Reply.notify).
 */
function tagNotice(reply: Reply, entities: Map<string, Element>): Element | undefined {
  const tags = (reply.notify ?? []).filter((g) => g.platform === 'teams' && TEAMS_TAG_ID.test(g.id) && g.name);
  if (tags.length === 0) return undefined;
  const texts = tags.map((g) => {
    const name = g.name!.replace(/[<>&]/g, '');
    const text = `<at>${name}</at>`;
    entities.set(text, { type: 'mention', text, mentioned: { id: g.id, name, type: 'tag' } });
    return text;
  });
  return text(`${texts.join(' ')} this needs your attention`, { spacing: 'small' });
}

/**
 * The core's mention elements as Teams mentions: `<at>Name</at>` in the text plus a mention
 * entity naming the person's id. Only Teams people are mentioned; anyone else is their name.
 */
function withTeamsMentions(reply: Reply): { reply: Reply; entities: Map<string, Element> } {
  const entities = new Map<string, Element>();
  const mapped = mapReplyText(reply, (t) =>
    renderDates(renderMentions(t, (m) => {
      if (m.platform !== 'teams') return plainName(m);
      const name = plainName(m).replace(/[<>]/g, '');
      const text = `<at>${name}</at>`;
      entities.set(text, { type: 'mention', text, mentioned: { id: m.id, name } });
      return text;
    }), plainDate),
  );
  return { reply: mapped, entities };
}

function layoutCards(reply: Reply, opts: RenderOptions, report?: string, notice?: Element): AdaptiveCard[] {
  const maxBytes = opts.maxBytes ?? MAX_ACTIVITY_BYTES;
  const [title, ...rest] = headBlocks(reply);
  // The approvers' tag goes right under the title, as Slack's user-group line does.
  const head = notice ? [title!, notice, ...rest] : [title!, ...rest];
  const buttons = buttonParts(reply.buttons ?? []);
  const foot = contextBlocks(reply);
  if (report) buttons.actions = [...buttons.actions, { type: 'Action.OpenUrl', title: 'Full matrix', url: report }];
  const fits = (body: Element[]) => cardMessageBytes(card(body, buttons.actions)) <= maxBytes;

  const overflow: Element[][] = [];
  let matrixPart: Element[] = [];
  if (reply.matrix && reply.matrix.nodes.length > 0) {
    const table = [text('Directions (row → column)', { weight: 'bolder', spacing: 'medium' }), matrixTable(reply.matrix, reply.matrix.nodes, reply.matrix.nodes)];
    if (reply.matrix.nodes.length <= MAX_TABLE_NODES && fits([...head, ...table, ...buttons.body, ...foot])) matrixPart = table;
    else if (report) {
      // The whole matrix is a page the bot serves: one message, not a grid in follow-ups.
      matrixPart = matrixSummary(reply.matrix, 'Every direction: "Full matrix" below.');
    } else {
      matrixPart = matrixSummary(reply.matrix, 'The full matrix follows in the next message.');
      // One compact grid when it fits a message (64 nodes do); Tables of 16 × 16 only beyond that.
      const grid = matrixCompactGrid(reply.matrix);
      const gridFits = cardMessageBytes(card([continuationTitle(reply.header), ...grid])) <= maxBytes;
      overflow.push(...(gridFits ? [grid] : fittingMatrixBlocks(reply.matrix, continuationTitle(reply.header), maxBytes)));
    }
  }

  const groups = [...(reply.sections ?? []).map((s) => sectionGroup(s)), ...(reply.attachments ?? []).map(attachmentGroup)];
  // With the report page (which holds the matrix and every finding, not attachments) the reply
  // is one message: the findings that do not fit are left to the page, and the card says so.
  // Teams' acknowledgement and the channel's summary make the other two of "at most 3".
  const onPage = report !== undefined && !reply.attachments?.length;
  const note = onPage ? REST_ON_PAGE : CONTINUED_NOTE;
  const mainBody = [...head, ...matrixPart];
  let next = 0;
  // Sections stay in order: the first one that does not fit, and all after it, move on.
  while (next < groups.length && fits([...mainBody, ...groups[next]!, ...buttons.body, ...foot, text(note)])) {
    mainBody.push(...groups[next]!);
    next += 1;
  }
  overflow.push(...groups.slice(next));
  if (overflow.length > 0) mainBody.push(text(note, onPage ? { weight: 'bolder', spacing: 'medium' } : { isSubtle: true, spacing: 'medium' }));
  const main = card([...mainBody, ...buttons.body, ...foot], buttons.actions);
  if (overflow.length === 0 || onPage) return [main];

  const bodies = packBodies(overflow, (body) => cardMessageBytes(card([continuationTitle(reply.header), ...body])) <= maxBytes);
  const total = bodies.length + 1;
  return [main, ...bodies.map((body, i) => card([continuationTitle(reply.header, i + 2, total), ...body]))];
}

/**
 * The matrix in the tallest blocks (16, 8, 4… sources × 16 destinations) of which each fits a
 * follow-up message on its own: 16 × 16 usually does (about 48 KB), long node names may not.
 */
function fittingMatrixBlocks(m: ReplyMatrix, title: Element, maxBytes: number): Element[][] {
  for (let rows = MAX_TABLE_NODES; ; rows = Math.floor(rows / 2)) {
    const blocks = matrixBlocks(m, rows);
    if (rows === 1 || blocks.every((b) => cardMessageBytes(card([title, ...b])) <= maxBytes)) return blocks;
  }
}

/** The main card of a Reply (the message that is updated in place). */
export function renderCard(reply: Reply, opts: RenderOptions = {}): AdaptiveCard {
  return renderCards(reply, opts)[0]!;
}
