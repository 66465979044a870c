import type { types } from '@slack/bolt';

// Block Kit limits (docs.slack.dev "Block Kit" reference: blocks, block elements, composition
// objects). Slack rejects a message that breaks one with `invalid_blocks`; worse, a few are
// enforced by silent truncation. The renderer checks its output with this and, when something
// does not fit, falls back to a summary plus an attachment. Tests run it on every message.

export const LIMITS = {
  blocksPerMessage: 50,
  messageText: 40_000,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  actionsElements: 25,
  contextElements: 10,
  contextText: 3000,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  placeholderText: 150,
} as const;

export interface SlackMessage {
  text: string;
  blocks: types.KnownBlock[];
}

type Loose = Record<string, unknown>;

const textOf = (o: unknown): string => (typeof (o as Loose | undefined)?.text === 'string' ? ((o as Loose).text as string) : '');

/** Every Block Kit limit the message breaks, one line each; empty when it fits. */
export function checkLimits(message: SlackMessage): string[] {
  const problems: string[] = [];
  const over = (what: string, length: number, max: number): void => {
    if (length > max) problems.push(`${what}: ${length} > ${max}`);
  };
  over('message text length', message.text.length, LIMITS.messageText);
  over('blocks in message', message.blocks.length, LIMITS.blocksPerMessage);
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  message.blocks.forEach((raw, i) => {
    const b = raw as unknown as Loose;
    const at = `block ${i} (${String(b.type)})`;
    if (typeof b.block_id === 'string') {
      over(`${at} block_id length`, b.block_id.length, LIMITS.blockId);
      if (blockIds.has(b.block_id)) problems.push(`${at}: duplicate block_id ${b.block_id}`);
      blockIds.add(b.block_id);
    }
    if (b.type === 'header') over(`${at} header text`, textOf(b.text).length, LIMITS.headerText);
    if (b.type === 'section') checkSection(b, at, over);
    if (b.type === 'context') checkContext(b, at, over);
    if (b.type === 'actions') checkActions(b, at, over, problems, actionIds);
  });
  return problems;
}

type Over = (what: string, length: number, max: number) => void;

function checkSection(b: Loose, at: string, over: Over): void {
  over(`${at} section text`, textOf(b.text).length, LIMITS.sectionText);
  const fields = Array.isArray(b.fields) ? b.fields : [];
  over(`${at} section fields`, fields.length, LIMITS.sectionFields);
  fields.forEach((f, j) => over(`${at} field ${j} text`, textOf(f).length, LIMITS.fieldText));
}

function checkContext(b: Loose, at: string, over: Over): void {
  const elements = Array.isArray(b.elements) ? b.elements : [];
  over(`${at} context elements`, elements.length, LIMITS.contextElements);
  elements.forEach((e, j) => over(`${at} context element ${j} text`, textOf(e).length, LIMITS.contextText));
}

function checkActions(b: Loose, at: string, over: Over, problems: string[], actionIds: Set<string>): void {
  const elements = (Array.isArray(b.elements) ? b.elements : []) as Loose[];
  over(`${at} actions elements`, elements.length, LIMITS.actionsElements);
  elements.forEach((e, j) => {
    const el = `${at} element ${j} (${String(e.type)})`;
    const actionId = typeof e.action_id === 'string' ? e.action_id : '';
    over(`${el} action_id length`, actionId.length, LIMITS.actionId);
    if (actionIds.has(actionId)) problems.push(`${el}: duplicate action_id ${actionId}`);
    actionIds.add(actionId);
    if (e.type === 'button') {
      over(`${el} button text`, textOf(e.text).length, LIMITS.buttonText);
      over(`${el} button value`, typeof e.value === 'string' ? e.value.length : 0, LIMITS.buttonValue);
    }
    if (e.type === 'static_select') {
      const options = (Array.isArray(e.options) ? e.options : []) as Loose[];
      over(`${el} options`, options.length, LIMITS.selectOptions);
      over(`${el} placeholder`, textOf(e.placeholder).length, LIMITS.placeholderText);
      options.forEach((o, k) => {
        over(`${el} option ${k} text`, textOf(o.text).length, LIMITS.optionText);
        over(`${el} option ${k} value`, typeof o.value === 'string' ? o.value.length : 0, LIMITS.optionValue);
      });
    }
  });
}
