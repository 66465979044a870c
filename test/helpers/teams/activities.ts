import type { ChatAdapter, CoreHandler, InboundEvent } from '../../../src/core/events.js';

// Activities as Teams sends them to POST /api/messages, and a fake core that records events.

export const SERVICE_URL = 'https://smba.trafficmanager.net/amer/';
export const BOT = { id: '28:bot-app-id', name: 'triage-bot' };
export const TENANT = '11111111-2222-3333-4444-555555555555';
export const CHANNEL = '19:ops@thread.tacv2';
export const USER = { id: '29:1user', name: 'Ada Admin', aadObjectId: 'aad-ada-0001' };

let seq = 0;
const nextId = () => `17000000000${String(++seq).padStart(2, '0')}`;

export function channelMention(text: string, opts: { rootId?: string; id?: string } = {}): Record<string, unknown> {
  const id = opts.id ?? nextId();
  const root = opts.rootId ?? id;
  return {
    type: 'message',
    id,
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    from: USER,
    recipient: BOT,
    conversation: { id: `${CHANNEL};messageid=${root}`, conversationType: 'channel', isGroup: true, tenantId: TENANT },
    channelData: { tenant: { id: TENANT }, team: { id: '19:team@thread.tacv2' }, channel: { id: CHANNEL } },
    text: `<at>triage-bot</at>&nbsp;${text}`,
    entities: [{ type: 'mention', text: '<at>triage-bot</at>', mentioned: BOT }],
    textFormat: 'plain',
  };
}

export function personalMessage(text: string): Record<string, unknown> {
  return {
    type: 'message',
    id: nextId(),
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    from: USER,
    recipient: BOT,
    conversation: { id: 'a:1personal-chat', conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    text,
  };
}

export function groupChatMessage(text: string, mentioned: boolean): Record<string, unknown> {
  return {
    type: 'message',
    id: nextId(),
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    from: USER,
    recipient: BOT,
    conversation: { id: '19:group@thread.v2', conversationType: 'groupChat', isGroup: true, tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    text: mentioned ? `<at>triage-bot</at> ${text}` : text,
    entities: mentioned ? [{ type: 'mention', text: '<at>triage-bot</at>', mentioned: BOT }] : [],
  };
}

export function cardAction(verb: string, data: Record<string, unknown>, messageId: string, rootId: string, from: typeof USER = USER): Record<string, unknown> {
  return {
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: nextId(),
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    from,
    recipient: BOT,
    replyToId: messageId,
    conversation: { id: `${CHANNEL};messageid=${rootId}`, conversationType: 'channel', isGroup: true, tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}

export function installedInTeam(): Record<string, unknown> {
  return {
    type: 'conversationUpdate',
    id: nextId(),
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    from: USER,
    recipient: BOT,
    conversation: { id: CHANNEL, conversationType: 'channel', isGroup: true, tenantId: TENANT },
    channelData: { tenant: { id: TENANT }, team: { id: CHANNEL }, eventType: 'teamMemberAdded' },
    membersAdded: [BOT],
  };
}

/** A core that records every event and runs a scripted reaction. */
export class FakeCore implements CoreHandler {
  readonly events: InboundEvent[] = [];
  constructor(private readonly react: (event: InboundEvent, adapter: ChatAdapter) => Promise<void> = async () => {}) {}
  async handle(event: InboundEvent, adapter: ChatAdapter): Promise<void> {
    this.events.push(event);
    await this.react(event, adapter);
  }
}

export async function postActivity(port: number, activity: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(activity),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // plain text
  }
  return { status: res.status, body };
}

/** The path of a connector call, decoded, for matching with nock. */
export function decodedPath(uri: string): string {
  return decodeURIComponent(uri);
}
