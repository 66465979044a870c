import { parse as parseForm } from 'node:querystring';
import { z } from 'zod';

// What a signed Slack request may hand to Bolt. Bolt reads bodies with property accesses that
// throw on shapes Slack never sends (`null`, `payload=null`, `"team": 5`, an `item` that is not an
// object…), and it throws outside any listener, which ends the process. So the body is judged
// here first, against the only three kinds triage-bot listens to (slash commands, block_actions,
// app_mention events), and Bolt is handed a body rebuilt from the validated fields alone: it never
// sees a field this file did not check. Everything else is answered at once: a type we do not
// handle gets 200 (Slack stops retrying), a body that is not what its type requires gets 400.

const str = z.string().max(4000);
const id = z.string().min(1).max(255);

const commandSchema = z.object({
  command: z.string().regex(/^\/[a-z0-9_-]{1,64}$/i),
  text: str.default(''),
  user_id: id,
  user_name: str.optional(),
  channel_id: id,
  channel_name: str.optional(),
  team_id: id.optional(),
  team_domain: str.optional(),
  enterprise_id: id.optional(),
  enterprise_name: str.optional(),
  api_app_id: id.optional(),
  is_enterprise_install: z.enum(['true', 'false']).optional(),
  response_url: z.string().url().max(2000),
  trigger_id: str.optional(),
});

const actionElementSchema = z.object({
  type: id,
  action_id: id,
  block_id: id.optional(),
  value: str.optional(),
  selected_option: z.object({ value: str }).optional(),
  action_ts: str.optional(),
});

const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id, name: str.optional(), username: str.optional(), team_id: id.optional() }),
  team: z.object({ id, domain: str.optional(), enterprise_id: id.optional() }).nullable().optional(),
  enterprise: z.object({ id }).nullable().optional(),
  is_enterprise_install: z.boolean().optional(),
  api_app_id: id.optional(),
  channel: z.object({ id, name: str.optional() }).optional(),
  container: z.object({ type: str.optional(), message_ts: str.optional(), channel_id: id.optional(), is_ephemeral: z.boolean().optional(), thread_ts: str.optional() }).optional(),
  message: z.object({ ts: id, thread_ts: str.optional() }).optional(),
  response_url: z.string().url().max(2000).optional(),
  trigger_id: str.optional(),
  actions: z.array(actionElementSchema).min(1).max(25),
});

const authorizationSchema = z.object({
  team_id: id.nullable().optional(),
  enterprise_id: id.nullable().optional(),
  user_id: id.optional(),
  is_bot: z.boolean().optional(),
  is_enterprise_install: z.boolean().optional(),
});

const appMentionSchema = z.object({
  type: z.literal('event_callback'),
  team_id: id.optional(),
  enterprise_id: id.optional(),
  api_app_id: id.optional(),
  event_id: id,
  event_time: z.number().optional(),
  authorizations: z.array(authorizationSchema).max(10).optional(),
  event: z.object({
    type: z.literal('app_mention'),
    user: id,
    text: str.default(''),
    channel: id,
    ts: id,
    thread_ts: str.optional(),
    event_ts: str.optional(),
  }),
});

export type GuardVerdict =
  /**
   * Hand Bolt this body, rebuilt from the validated fields alone, as Bolt's own receiver would
   * have parsed it (the receiver passes it to app.processEvent).
   */
  | { action: 'pass'; kind: 'command' | 'block_actions' | 'app_mention'; value: Record<string, unknown> }
  /** Answer now, without Bolt. */
  | { action: 'answer'; status: 200 | 400; body?: string; contentType?: string; reason: string };

const FORM = 'application/x-www-form-urlencoded';
const bad = (reason: string): GuardVerdict => ({ action: 'answer', status: 400, reason });
const notOurs = (reason: string): GuardVerdict => ({ action: 'answer', status: 200, reason });

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Interactive payload types Slack sends that triage-bot has no listener for. */
const INTERACTIVE_NOT_OURS = new Set(['view_submission', 'view_closed', 'shortcut', 'message_action', 'block_suggestion', 'dialog_submission', 'dialog_cancellation', 'interactive_message', 'workflow_step_edit']);

/**
 * Judges a request whose signature is already verified. `contentType` is the header as sent;
 * Bolt only reads a form when it is exactly `application/x-www-form-urlencoded`, so the same
 * rule decides here how the body is read.
 */
export function judgeSlackBody(raw: string, contentType: string | undefined): GuardVerdict {
  if (contentType === FORM) return judgeForm(raw);
  const parsed = parseJson(raw);
  if (!parsed.ok) return bad('body is neither a form nor JSON');
  return judgeObject(parsed.value, 'json');
}

function judgeForm(raw: string): GuardVerdict {
  const form = parseForm(raw);
  if (Object.values(form).some((v) => Array.isArray(v))) return bad('a form field appears more than once');
  if (form.ssl_check === '1') return notOurs('ssl_check');
  if (form.payload !== undefined) {
    const parsed = parseJson(String(form.payload));
    if (!parsed.ok) return bad('payload is not JSON');
    return judgeObject(parsed.value, 'payload');
  }
  return judgeObject(form, 'form');
}

function judgeObject(value: unknown, from: 'json' | 'payload' | 'form'): GuardVerdict {
  if (!isRecord(value)) return bad(`the ${from === 'form' ? 'form' : from === 'payload' ? 'payload' : 'body'} is not an object`);
  // The same order Bolt uses to decide what a body is (event, command, options, action…).
  if (value.event !== undefined || value.type === 'event_callback') return judgeEvent(value);
  if (value.type === 'url_verification') {
    const challenge = z.object({ challenge: z.string().min(1).max(200) }).safeParse(value);
    return challenge.success
      ? { action: 'answer', status: 200, body: JSON.stringify({ challenge: challenge.data.challenge }), contentType: 'application/json', reason: 'url_verification' }
      : bad('url_verification without a challenge');
  }
  if (value.command !== undefined) {
    const command = commandSchema.safeParse(value);
    if (!command.success) return bad(`slash command: ${firstIssue(command.error)}`);
    return { action: 'pass', kind: 'command', value: definedStrings(command.data) };
  }
  if (value.type === 'block_actions') {
    const actions = blockActionsSchema.safeParse(value);
    if (!actions.success) return bad(`block_actions: ${firstIssue(actions.error)}`);
    return { action: 'pass', kind: 'block_actions', value: actions.data };
  }
  if (typeof value.type === 'string' && INTERACTIVE_NOT_OURS.has(value.type)) return notOurs(`interactive type ${value.type}`);
  if (value.name !== undefined || value.actions !== undefined) return bad('an interactive payload without a known type');
  return notOurs(typeof value.type === 'string' ? `unknown type ${value.type.slice(0, 40)}` : 'no type');
}

function judgeEvent(value: Record<string, unknown>): GuardVerdict {
  if (value.type !== 'event_callback' || !isRecord(value.event) || typeof value.event.type !== 'string') return bad('event without an event_callback envelope');
  if (value.event.type !== 'app_mention') return notOurs(`event ${value.event.type.slice(0, 40)}`);
  const mention = appMentionSchema.safeParse(value);
  if (!mention.success) return bad(`app_mention: ${firstIssue(mention.error)}`);
  return { action: 'pass', kind: 'app_mention', value: mention.data };
}

function definedStrings(o: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key in o) if (o[key] !== undefined) out[key] = o[key];
  return out;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid';
}
