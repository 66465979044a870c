import type { ButtonAction } from '../../src/core/reply.js';

// How a click finds its way back. A button's `value` is only the opaque record id; the action
// name lives in `action_id` ("triage:propose-fix", with ":2", ":3"... when the same action
// appears twice in one message, since Slack wants action ids unique). A select menu has no
// value of its own (its options carry the choices), so its record id rides in the `block_id`
// of the actions block that holds it: "triage-choice:<key>:<recordId>".

const ACTION_PREFIX = 'triage:';
const CHOICE_BLOCK_PREFIX = 'triage-choice:';
const ACTION_ID = /^triage:([a-z][a-z-]{0,63})(?::\d{1,4})?$/;

export function actionIdFor(action: ButtonAction, occurrence: number): string {
  return occurrence <= 1 ? `${ACTION_PREFIX}${action}` : `${ACTION_PREFIX}${action}:${occurrence}`;
}

/** The action name in an action_id, or undefined when it is not one of ours. */
export function actionNameOf(actionId: string): string | undefined {
  return ACTION_ID.exec(actionId)?.[1];
}

/** `key` makes the block id unique within the message (button index, menu part). */
export function choiceBlockId(key: string, recordId: string): string {
  return `${CHOICE_BLOCK_PREFIX}${key}:${recordId}`;
}

/** The record id carried by a choice block's block_id, or undefined. */
export function recordIdOfChoiceBlock(blockId: string | undefined): string | undefined {
  if (!blockId?.startsWith(CHOICE_BLOCK_PREFIX)) return undefined;
  const rest = blockId.slice(CHOICE_BLOCK_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon < 1 || !/^[\d-]+$/.test(rest.slice(0, colon))) return undefined;
  const recordId = rest.slice(colon + 1);
  return recordId.length > 0 ? recordId : undefined;
}
