import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudAdapter, type Activity, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, type ConversationReference, type TurnContext } from 'botbuilder';
import type { BotFrameworkAuthentication, ConnectorClient } from 'botframework-connector';
import type { ConversationRef, MessageRef } from '../../src/kernel/refs.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import type { ChatAdapter, CoreHandler, InboundEvent } from '../../src/core/events.js';
import type { Reply } from '../../src/core/reply.js';
import { TeamsBot } from './activity-handler.js';
import { ADAPTIVE_CARD_CONTENT_TYPE, MAX_ACTIVITY_BYTES, cardActivity, utf16Bytes } from './card-size.js';
import { ConversationQueue, type QueueOptions } from './conversation-queue.js';
import { InMemoryConversationRefStore, type ConversationRefStore } from './conversation-ref-store.js';
import { actorOf, baseConversationId, botReference, cardActionOf, commandText, conversationRefOf, isChannel, isForBot, messageKind, postingConversationId, referenceOf } from './inbound.js';
import { FollowUpLedger } from './follow-up-ledger.js';
import { InvokeHandoff } from './invoke-handoff.js';
import { createMessagesServer, type ReportPages } from './http-server.js';
import { renderReportPage } from './report-page.js';
import { choiceInputId, renderCards, type AdaptiveCard, type RenderOptions } from './render.js';
import { statusOf, withRetry, type RetryOptions } from './retry.js';
import { TargetGoneError } from '../../src/core/target-gone.js';

// Teams transport: POST /api/messages in, Bot Framework connector out. Every send goes through
// continueConversationAsync with a stored reference (so scheduled posts and replies share one
// path), one queue per conversation, and bounded retries on Teams' transient statuses.

export interface TeamsAdapterOptions {
  auth: BotFrameworkAuthentication;
  /** Bot app id ('' only in lab mode: see auth.ts). */
  appId: string;
  port: number;
  host?: string;
  refs?: ConversationRefStore;
  /** Tenant of the bot, for proactive posts to conversations it has not seen since start. */
  tenantId?: string;
  /** Service URL for such posts (default: the public global one; GCC and DoD have their own). */
  proactiveServiceUrl?: string;
  /** How long an adaptiveCard/action invoke waits for the core's card before answering anyway. */
  invokeDeadlineMs?: number;
  /** After the core acknowledges a click with words, how long to wait for its card instead. */
  ackGraceMs?: number;
  retry?: Partial<RetryOptions>;
  queue?: Partial<QueueOptions>;
  /** botbuilder has no logger of its own: its turn errors and our retries are logged here. */
  logger?: Logger;
  /** PUBLIC_BASE_URL: how Teams users reach this endpoint; with `reports`, big matrices link to a page. */
  publicBaseUrl?: string;
  /** A stored check run as a report (src/core/check-report.ts), served at GET /reports/<id>. */
  reports?: (id: string) => Promise<Reply | undefined>;
}

const MESSAGE_RESPONSE = 'application/vnd.microsoft.activity.message';

/** Microsoft's public-cloud service URL for proactive messages when none was learned. */
export const TEAMS_GLOBAL_SERVICE_URL = 'https://smba.trafficmanager.net/teams/';

export class TeamsAdapter implements ChatAdapter {
  readonly platform = 'teams' as const;
  readonly cloud: CloudAdapter;
  private readonly refs: ConversationRefStore;
  private readonly queue: ConversationQueue;
  private readonly handoff = new InvokeHandoff();
  private readonly followUps = new FollowUpLedger();
  private readonly pendingEdits = new Map<string, { card: AdaptiveCard; done: Promise<void> }>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly bot: TeamsBot;
  private core?: CoreHandler;
  private server?: Server;

  constructor(private readonly opts: TeamsAdapterOptions) {
    this.cloud = new CloudAdapter(opts.auth);
    this.refs = opts.refs ?? new InMemoryConversationRefStore();
    this.queue = new ConversationQueue(opts.queue);
    this.cloud.onTurnError = async (_context, err) => this.log.error('teams: turn failed', { error: err instanceof Error ? err.message : String(err) });
    this.bot = new TeamsBot({
      remember: (c) => this.remember(c),
      message: (c) => this.onMessage(c),
      cardAction: (c, v) => this.onCardAction(c, v),
    });
  }

  async start(core: CoreHandler): Promise<void> {
    this.core = core;
    this.server = createMessagesServer(this.cloud, (context) => this.bot.run(context), this.log, this.reportPages());
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port, this.opts.host ?? '0.0.0.0', () => resolve());
    });
  }

  private reportPages(): ReportPages | undefined {
    const reports = this.opts.reports;
    if (!reports) return undefined;
    return async (id) => {
      const report = await reports(id);
      return report ? renderReportPage(report) : undefined;
    };
  }

  /** Links to reports only when they are both served and reachable from Teams. */
  private get renderOptions(): RenderOptions {
    const base = this.opts.publicBaseUrl?.replace(/\/+$/, '');
    if (!base || !this.opts.reports) return {};
    return { reportUrl: (id) => `${base}/reports/${encodeURIComponent(id)}` };
  }

  /** Where the endpoint listens, once started. */
  get address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  /** The bound port (useful with port 0 in tests). */
  get port(): number {
    return this.address?.port ?? this.opts.port;
  }

  /**
   * Graceful stop: stop accepting first (idle keep-alive sockets closed at once), then let the
   * events already handed to the core finish for up to `drainMs`, then close every socket.
   */
  async stop(drainMs = 20_000): Promise<void> {
    const server = this.server;
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server?.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)))]);
    clearTimeout(timer);
    server?.closeAllConnections();
    await closed;
    this.server = undefined;
  }

  /** Resolves when every event handed to the core so far has been handled. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async post(ref: ConversationRef, reply: Reply): Promise<MessageRef> {
    // Teams takes tag mentions only in channels (a 400 elsewhere): a chat gets the card without.
    const cards = renderCards(isChannel(ref) ? reply : withoutNotify(reply), this.renderOptions);
    const first = await this.send(ref, cards[0]!);
    const thread = ref.threadId ?? (isChannel(ref) ? first : undefined);
    const conversation: ConversationRef = { ...ref, ...(thread ? { threadId: thread } : {}) };
    // A new message is complete right after it: its follow-ups are always sent.
    await this.sendFollowUps(conversation, cards.slice(1));
    return { conversation, messageId: first };
  }

  async update(ref: MessageRef, reply: Reply): Promise<void> {
    // An edit notifies nobody, and an invoke answer cannot carry a tag mention.
    const cards = renderCards(withoutNotify(reply), this.renderOptions);
    // An open invoke for this message answers with the card (the clicker sees it at once)...
    this.handoff.offer(ref.messageId, cards[0]!);
    // ...and the edit shows it to everyone else in the conversation.
    await this.edit(ref, cards[0]!);
    // An edit adds only the follow-ups its thread does not show yet.
    const followUps = this.followUps.unseen(threadKey(ref.conversation), cards.slice(1));
    await this.sendFollowUps(ref.conversation, followUps);
  }

  private async sendFollowUps(conversation: ConversationRef, cards: AdaptiveCard[]): Promise<void> {
    for (const card of cards) await this.send(conversation, card);
    this.followUps.record(threadKey(conversation), cards);
  }

  // ---- inbound ----

  private async remember(context: TurnContext): Promise<void> {
    const a = context.activity;
    if (!a.conversation?.id || !a.serviceUrl) return;
    await this.refs.save(baseConversationId(a.conversation.id), referenceOf(a));
  }

  private async onMessage(context: TurnContext): Promise<void> {
    const a = context.activity;
    if (!isForBot(a)) return;
    const conversation = conversationRefOf(a);
    const event: InboundEvent = {
      kind: messageKind(a),
      text: commandText(a),
      actor: actorOf(a),
      conversation,
      // Teams has no ephemeral messages in channels: an acknowledgement is a reply in the thread.
      ack: async (reply) => {
        if (reply) await this.post(conversation, reply);
      },
    };
    // Answer Teams at once (it retries slow bots); the core replies through post/update.
    this.dispatch(event);
  }

  private async onCardAction(context: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const a = context.activity;
    // A malformed click still reaches the core, as an action it does not know, so the person is told.
    const action = cardActionOf(value.action, choiceInputId) ?? { name: '', recordId: '' };
    const conversation = conversationRefOf(a);
    const messageId = a.replyToId ?? '';
    // The invoke answers with the first card the core makes for this message. When the core
    // first acknowledges with words and no card follows within a short grace, the words answer
    // instead (a message only the clicker sees); later card changes reach everyone by edits.
    let acked: Reply | undefined;
    let ackedNow!: (reply: Reply) => void;
    const ackedWithText = new Promise<'acked'>((resolve) => (ackedNow = (reply) => ((acked = reply), resolve('acked'))));
    const event: InboundEvent = {
      kind: 'action',
      text: action.name,
      action,
      actor: actorOf(a),
      conversation,
      message: { conversation, messageId },
      ack: async (reply) => {
        if (reply) ackedNow(reply);
      },
    };
    const pending = this.handoff.open(messageId);
    const handled = this.dispatch(event);
    const deadline = after(this.opts.invokeDeadlineMs ?? 4_000, 'late' as const);
    const ackedThenCard = ackedWithText.then(() => Promise.race([pending.card, after(this.opts.ackGraceMs ?? 1_000, 'acked' as const)]));
    const outcome = await Promise.race([pending.card, ackedThenCard, handled.then(() => 'done' as const), deadline]);
    pending.close();
    if (typeof outcome === 'object') return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: outcome };
    const text = acked ? (acked.verdict?.text ?? acked.header) : outcome === 'done' ? 'Done.' : 'Working on it…';
    // The SDK types `value` as a record, but Teams expects the message text itself here.
    return { statusCode: 200, type: MESSAGE_RESPONSE, value: text as unknown as Record<string, unknown> };
  }

  private dispatch(event: InboundEvent): Promise<void> {
    const core = this.core;
    if (!core) return Promise.resolve();
    const run = core.handle(event, this).catch((err: unknown) => this.log.error('teams: core failed on an event', { kind: event.kind, error: err instanceof Error ? err.message : String(err) }));
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  // ---- outbound ----

  private async referenceFor(ref: ConversationRef): Promise<Partial<ConversationReference>> {
    const stored = await this.refs.get(ref.channelId);
    if (stored || ref.extra?.serviceUrl) return botReference(ref, stored);
    // A bare channel id (a schedule from the policy file, after a restart): Microsoft's global
    // endpoint for proactive messages, with our tenant and bot id. Learned references win.
    const extra = { serviceUrl: this.opts.proactiveServiceUrl ?? TEAMS_GLOBAL_SERVICE_URL, ...(this.opts.tenantId ? { tenantId: this.opts.tenantId } : {}), ...(this.opts.appId ? { botId: `28:${this.opts.appId}` } : {}) };
    return botReference({ ...ref, extra: { ...extra, ...ref.extra } }, undefined);
  }

  /** Run one connector call for a conversation: queued, rate-limited, retried. */
  private async call<T>(ref: ConversationRef, op: (client: ConnectorClient, conversationId: string) => Promise<T>): Promise<T> {
    const reference = await this.referenceFor(ref);
    const key = ref.channelId;
    return this.queued(key, reference, ref, op).catch((err: unknown) => {
      throw teamsFailure(err);
    });
  }

  private queued<T>(key: string, reference: Partial<ConversationReference>, ref: ConversationRef, op: (client: ConnectorClient, conversationId: string) => Promise<T>): Promise<T> {
    return this.queue.run(key, () =>
      withRetry(async () => {
        await this.queue.acquire(key);
        // The SDK routes errors thrown in a turn to onTurnError; carry them out so retry sees them.
        const box: { outcome?: { ok: true; value: T } | { ok: false; error: unknown } } = {};
        await this.cloud.continueConversationAsync(this.opts.appId, reference, async (context) => {
          const client = context.turnState.get<ConnectorClient>(this.cloud.ConnectorClientKey);
          withoutSdkRetries(client);
          try {
            box.outcome = { ok: true, value: await op(client, postingConversationId(ref)) };
          } catch (error) {
            box.outcome = { ok: false, error };
          }
        });
        if (!box.outcome) throw new Error('Teams: the proactive turn did not run.');
        if (!box.outcome.ok) throw box.outcome.error;
        return box.outcome.value;
      }, { ...this.opts.retry, onRetry: (i) => this.log.warn('teams: Bot Framework asked to retry', { status: i.status, attempt: i.attempt, delayMs: i.delayMs }) }),
    );
  }

  private async send(ref: ConversationRef, card: AdaptiveCard): Promise<string> {
    const activity = cardActivity(card) as Partial<Activity>;
    assertSize(activity);
    const response = await this.call(ref, (client, conversationId) =>
      ref.threadId && isChannel(ref)
        ? client.conversations.replyToActivity(conversationId, ref.threadId, activity as Activity)
        : client.conversations.sendToConversation(conversationId, activity as Activity),
    );
    return response.id ?? '';
  }

  /**
   * Edits of one message that queue up behind each other collapse into one: when the edit runs
   * it sends the newest card (progress edits come faster than Teams wants them).
   */
  private edit(ref: MessageRef, card: AdaptiveCard): Promise<void> {
    const key = `${ref.conversation.channelId}/${ref.messageId}`;
    const waiting = this.pendingEdits.get(key);
    if (waiting) {
      waiting.card = card;
      return waiting.done;
    }
    const entry = { card, done: Promise.resolve() };
    this.pendingEdits.set(key, entry);
    const forget = () => {
      if (this.pendingEdits.get(key) === entry) this.pendingEdits.delete(key);
    };
    entry.done = this.call(ref.conversation, (client, conversationId) => {
      forget(); // running now: a newer card queues a new edit behind this one
      const activity = { ...cardActivity(entry.card), id: ref.messageId } as Partial<Activity>;
      assertSize(activity);
      return client.conversations.updateActivity(conversationId, ref.messageId, activity as Activity);
    }).then(() => undefined, (err: unknown) => {
      forget();
      throw err;
    });
    return entry.done;
  }

  private get log(): Logger {
    return this.opts.logger ?? silentLogger;
  }
}

function withoutNotify(reply: Reply): Reply {
  if (!reply.notify) return reply;
  const { notify: _dropped, ...rest } = reply;
  return rest;
}

function after<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}

function threadKey(ref: ConversationRef): string {
  return `${ref.channelId}/${ref.threadId ?? ''}`;
}

function assertSize(activity: Partial<Activity>): void {
  const bytes = utf16Bytes(activity);
  if (bytes > MAX_ACTIVITY_BYTES) throw new Error(`Teams message of ${bytes} bytes exceeds the ${MAX_ACTIVITY_BYTES}-byte budget (renderer bug).`);
}

/**
 * The connector's HTTP pipeline retries 5xx and throttled calls on its own (3 times, up to a
 * minute). Our retry (retry.ts) is the single, bounded policy, so the SDK's is removed.
 */
function withoutSdkRetries(client: ConnectorClient): void {
  const pipeline = (client as unknown as { client?: { pipeline?: { removePolicy(o: { name: string }): unknown } } }).client?.pipeline;
  pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
}

/** A connector failure as the core reads it: 403 (bot removed) and 404 (conversation gone) are a TargetGoneError. */
function teamsFailure(err: unknown): unknown {
  const status = statusOf(err);
  if (status !== 403 && status !== 404) return err;
  const code = (err as { code?: unknown }).code;
  return new TargetGoneError('teams', `Teams answered ${status}${typeof code === 'string' && code ? ` ${code}` : ''}`, { cause: err });
}
