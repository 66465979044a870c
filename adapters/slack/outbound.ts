import { createHash } from 'node:crypto';
import type { App, RespondFn, types } from '@slack/bolt';
import type { ConversationRef, MessageRef } from '../../src/kernel/refs.js';
import type { Actor } from '../../src/core/events.js';
import type { Logger } from '../../src/core/logger.js';
import type { Reply, ReplyAttachment } from '../../src/core/reply.js';
import { TargetGoneError } from '../../src/core/target-gone.js';
import { LIMITS } from './limits.js';
import { escapeMrkdwn } from './mrkdwn.js';
import { renderBlocks } from './render.js';
import { UpdateCoalescer } from './update-coalescer.js';

// Everything the bot sends to Slack: chat.postMessage, chat.update (coalesced), chat.postEphemeral,
// response_url replies, and files through files.uploadV2. Rate limits (429 + Retry-After) are
// handled by the Web API client's retry policy, which the adapter configures.

type WebClient = App['client'];
type Update = { ref: MessageRef; reply: Reply };
const MAX_TRACKED_MESSAGES = 500;
/** Slack accepts response_url posts for 30 minutes; stay a little inside that. */
const RESPONDER_TTL_MS = 25 * 60_000;
const NOT_A_MEMBER = new Set(['not_in_channel', 'channel_not_found']);
const NOT_A_MEMBER_TEXT = 'triage-bot is not a member of this channel: invite it with /invite @triage-bot, then try again.';
/** Slack's answers that mean the channel is gone for the bot, not a passing failure. */
const GONE = new Set([...NOT_A_MEMBER, 'is_archived', 'team_access_not_granted', 'no_permission']);

function slackError(err: unknown): string | undefined {
  return (err as { data?: { error?: string } } | undefined)?.data?.error;
}

/** A Web API failure as the core reads it: a TargetGoneError when the channel is gone for the bot. */
export function slackFailure(err: unknown): unknown {
  const code = slackError(err);
  if (!code || !GONE.has(code)) return err;
  // Slash commands work in any channel, posting only where the bot was invited: say so.
  const notAMember = NOT_A_MEMBER.has(code);
  return new TargetGoneError('slack', `Slack answered ${code}`, { cause: err, ...(notAMember ? { message: NOT_A_MEMBER_TEXT, userSafe: true } : {}) });
}

export class SlackOutbound {
  private readonly updates = new UpdateCoalescer<Update>((_key, u) => this.sendUpdate(u));
  /** Hashes of files already uploaded into a thread, so edits and the summary do not upload them again. */
  private readonly uploaded = new Map<string, Set<string>>();
  /** The latest response_url per person and channel: the one way to reach them where the bot is not a member. */
  private readonly responders = new Map<string, { respond: RespondFn; at: number }>();

  constructor(
    private readonly client: WebClient,
    private readonly log: Logger,
  ) {}

  get droppedUpdates(): number {
    return this.updates.dropped;
  }

  async post(ref: ConversationRef, reply: Reply): Promise<MessageRef> {
    const message = renderBlocks(reply);
    const res = await this.client.chat
      .postMessage({
        channel: ref.channelId,
        ...(ref.threadId ? { thread_ts: ref.threadId } : {}),
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        unfurl_media: false,
      })
      .catch((err: unknown) => {
        throw slackFailure(err);
      });
    const messageId = res.ts ?? '';
    const posted: MessageRef = { conversation: ref, messageId };
    if (message.files?.length) await this.uploadOnce(posted, message.files);
    return posted;
  }

  update(ref: MessageRef, reply: Reply): Promise<void> {
    return this.updates.submit(`${ref.conversation.channelId}/${ref.messageId}`, { ref, reply });
  }

  async postEphemeral(ref: ConversationRef, actor: Actor, reply: Reply): Promise<void> {
    const message = ephemeralMessage(reply);
    try {
      await this.client.chat.postEphemeral({
        channel: ref.channelId,
        user: actor.id,
        ...(ref.threadId ? { thread_ts: ref.threadId } : {}),
        text: message.text,
        blocks: message.blocks,
      });
    } catch (err) {
      const responder = this.responders.get(`${ref.channelId}/${actor.id}`);
      if (!NOT_A_MEMBER.has(slackError(err) ?? '') || !responder || Date.now() - responder.at > RESPONDER_TTL_MS) throw slackFailure(err);
      await this.respond(responder.respond, reply);
    }
  }

  /** Remember how to answer this person in this channel without being a member of it. */
  rememberResponder(channelId: string, userId: string, respond: RespondFn): void {
    const key = `${channelId}/${userId}`;
    this.responders.delete(key);
    this.responders.set(key, { respond, at: Date.now() });
    if (this.responders.size > MAX_TRACKED_MESSAGES) this.responders.delete(this.responders.keys().next().value!);
  }

  /** A reply only the person who acted sees, through the interaction's response_url. */
  async respond(respond: RespondFn, reply: Reply): Promise<void> {
    const message = ephemeralMessage(reply);
    await respond({ response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks });
  }

  private async sendUpdate({ ref, reply }: Update): Promise<void> {
    const message = renderBlocks(reply);
    await this.client.chat.update({ channel: ref.conversation.channelId, ts: ref.messageId, text: message.text, blocks: message.blocks }).catch((err: unknown) => {
      throw slackFailure(err);
    });
    if (message.files?.length) await this.uploadOnce(ref, message.files);
  }

  /**
   * Files go into the message's thread, and the same content only once per thread: the summary
   * edited into the parent and the result in its thread share one direction-matrix.csv.
   */
  private async uploadOnce(ref: MessageRef, files: ReplyAttachment[]): Promise<void> {
    const threadTs = ref.conversation.threadId ?? ref.messageId;
    const key = `${ref.conversation.channelId}/${threadTs}`;
    const seen = this.uploaded.get(key) ?? new Set<string>();
    const fresh = files.filter((f) => !seen.has(hashOf(f)));
    if (fresh.length === 0) return;
    await this.client.filesUploadV2({
      channel_id: ref.conversation.channelId,
      thread_ts: threadTs,
      file_uploads: fresh.map((f) => ({ content: f.content, filename: f.filename, title: f.filename })),
    });
    for (const f of fresh) seen.add(hashOf(f));
    this.uploaded.set(key, seen);
    if (this.uploaded.size > MAX_TRACKED_MESSAGES) this.uploaded.delete(this.uploaded.keys().next().value!);
    this.log.debug('uploaded files', { channel: ref.conversation.channelId, files: fresh.map((f) => f.filename) });
  }
}

function hashOf(file: ReplyAttachment): string {
  return createHash('sha256').update(file.filename).update('\0').update(file.content).digest('hex');
}

/** Ephemeral messages cannot carry files: say so rather than dropping them silently. */
function ephemeralMessage(reply: Reply): { text: string; blocks: types.KnownBlock[] } {
  const message = renderBlocks(reply);
  if (!message.files?.length) return message;
  const names = escapeMrkdwn(message.files.map((f) => f.filename).join(', '));
  const note: types.KnownBlock = { type: 'context', elements: [{ type: 'mrkdwn', text: `Not shown: ${names} (a message only you can see cannot carry files).` }] };
  return { text: message.text, blocks: message.blocks.length < LIMITS.blocksPerMessage ? [...message.blocks, note] : message.blocks };
}
