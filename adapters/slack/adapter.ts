import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, SocketModeReceiver, type Receiver, type RespondFn, type webApi } from '@slack/bolt';
import type { ConversationRef, MessageRef } from '../../src/kernel/refs.js';
import type { Actor, ChatAdapter, CoreHandler, InboundEvent } from '../../src/core/events.js';
import { silentLogger, type Logger, type LogLevel } from '../../src/core/logger.js';
import { textReply, type Reply } from '../../src/core/reply.js';
import { boltLogger } from './bolt-logger.js';
import { AfterAcks } from './after-acks.js';
import { GuardedHttpReceiver } from './guarded-receiver.js';
import { actionEvent, commandEvent, mentionEvent, parseAction, SLASH_COMMANDS } from './inbound.js';
import { SlackOutbound } from './outbound.js';

// The Slack transport: Bolt receives (Socket Mode by default, or HTTP with signature checks),
// every request is acknowledged at once, and the core does its work afterwards. No business
// rules here: the core decides what to say; this file only carries it.

export interface SlackAdapterOptions {
  botToken: string;
  mode: 'socket' | 'http';
  /** xapp- token with connections:write (Socket Mode). */
  appToken?: string;
  /** Signing secret (HTTP mode): requests without a valid v0 signature get 401. */
  signingSecret?: string;
  /** HTTP mode: port of POST /slack/events (0 picks a free one) and the address to bind. */
  port?: number;
  listenHost?: string;
  /** Web API base URL (proxies, tests). */
  apiUrl?: string;
  /** Retry policy of the Web API client; 429 responses are retried after their Retry-After. */
  retryConfig?: webApi.RetryOptions;
  logger?: Logger;
  /** The bot's LOG_LEVEL: Bolt's debug lines are only formatted when it is debug. */
  logLevel?: LogLevel;
}

/** Retries (network errors, 429 after Retry-After) for about two minutes, then give up. */
export const DEFAULT_RETRY: webApi.RetryOptions = { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 30_000, randomize: true };

const INTERNAL_ERROR = 'Something went wrong on our side; nothing more was done. The details are in the bot log.';
const SEEN_EVENTS_KEPT = 1000;
const UNKNOWN_BUTTON = 'This button is not one triage-bot knows; nothing was done.';

export class SlackAdapter implements ChatAdapter {
  readonly platform = 'slack' as const;
  private readonly app: App;
  private readonly outbound: SlackOutbound;
  private readonly log: Logger;
  private core?: CoreHandler;
  private server?: Server;
  private readonly seenEvents = new Set<string>();
  private readonly afterAcks = new AfterAcks();

  constructor(private readonly options: SlackAdapterOptions) {
    this.log = options.logger ?? silentLogger;
    const logger = boltLogger(this.log, 'slack', options.logLevel);
    const clientOptions: webApi.WebClientOptions = {
      retryConfig: options.retryConfig ?? DEFAULT_RETRY,
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    };
    this.app = new App({
      token: options.botToken,
      receiver: makeReceiver(options, this.log, logger, clientOptions),
      clientOptions,
      logger,
      convoStore: false,
      deferInitialization: true,
    });
    this.outbound = new SlackOutbound(this.app.client, this.log);
    this.registerListeners();
  }

  /** HTTP mode: where the endpoint listens once started. */
  get address(): { host: string; port: number } | undefined {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? { host: a.address, port: a.port } : undefined;
  }

  /** chat.update calls skipped because a newer edit of the same message superseded them. */
  get droppedUpdates(): number {
    return this.outbound.droppedUpdates;
  }

  async start(core: CoreHandler): Promise<void> {
    // auth.test: a wrong or revoked SLACK_BOT_TOKEN fails here, at start, with Slack's reason.
    await this.app.init().catch((err: unknown) => {
      throw new Error(`Slack did not accept SLACK_BOT_TOKEN (${reason(err)}). Copy the Bot User OAuth Token (xoxb-) from OAuth & Permissions.`);
    });
    this.core = core;
    if (this.options.mode === 'http') {
      const listen = { port: this.options.port ?? 3001, host: this.options.listenHost ?? '0.0.0.0' };
      this.server = (await this.app.start(listen)) as Server;
      this.log.info('slack: HTTP endpoint ready', { endpoint: `http://${listen.host}:${this.address?.port}/slack/events` });
    } else {
      await this.app.start().catch((err: unknown) => {
        this.core = undefined;
        throw new Error(`Slack Socket Mode did not connect (${reason(err)}). Check SLACK_APP_TOKEN (xapp-, scope connections:write) and that Socket Mode is on in the app settings.`);
      });
      this.log.info('slack: connected in Socket Mode');
    }
  }

  async stop(): Promise<void> {
    if (!this.core) return;
    await this.app.stop();
    this.server = undefined;
    this.core = undefined;
  }

  post(ref: ConversationRef, reply: Reply): Promise<MessageRef> {
    return this.outbound.post(ref, reply);
  }

  update(ref: MessageRef, reply: Reply): Promise<void> {
    return this.outbound.update(ref, reply);
  }

  postEphemeral(ref: ConversationRef, actor: Actor, reply: Reply): Promise<void> {
    return this.outbound.postEphemeral(ref, actor, reply);
  }

  private registerListeners(): void {
    // Every slash command is acknowledged, including one renamed in the workspace or not ours:
    // an unanswered command would show the person "dispatch_failed" after three seconds.
    this.app.command(/.*/, async ({ command, ack, respond }) => {
      await ack();
      this.outbound.rememberResponder(command.channel_id, command.user_id, respond);
      const event = commandEvent(command, this.ackVia(respond));
      if (event) await this.dispatch(event);
      else await this.safely(() => this.outbound.respond(respond, textReply(unknownCommand(command.command), { ephemeral: true, status: 'error' })));
    });

    this.app.event('app_mention', async ({ event: raw, body }) => {
      // Slack re-delivers an event it believes was not acknowledged; the same event_id runs once.
      if (this.alreadySeen(body.event_id)) return;
      const event = mentionEvent(raw, (reply) => this.ackMention(event, reply));
      if (event) await this.dispatch(event);
      else this.log.warn('slack: app_mention payload not understood');
    });

    this.app.action({ type: 'block_actions' }, async ({ body, action, ack, respond }) => {
      await ack();
      const parsed = parseAction(action);
      const event = parsed ? actionEvent(body, parsed, this.ackVia(respond)) : undefined;
      if (event) {
        this.outbound.rememberResponder(event.conversation.channelId, event.actor.id, respond);
        await this.dispatch(event);
      } else await this.safely(() => this.outbound.respond(respond, textReply(UNKNOWN_BUTTON, { ephemeral: true, status: 'error' })));
    });

    this.app.error(async (error) => {
      this.log.error('slack: unhandled error in a listener', { error: error.message, code: error.code });
    });
  }

  private alreadySeen(eventId: string | undefined): boolean {
    if (!eventId) return false;
    if (this.seenEvents.has(eventId)) return true;
    this.seenEvents.add(eventId);
    if (this.seenEvents.size > SEEN_EVENTS_KEPT) this.seenEvents.delete(this.seenEvents.values().next().value!);
    return false;
  }

  /** The HTTP request is already acknowledged; a reply goes to the actor through response_url. */
  private ackVia(respond: RespondFn): InboundEvent['ack'] {
    return async (reply) => {
      if (reply) await this.outbound.respond(respond, reply);
    };
  }

  private async ackMention(event: InboundEvent | undefined, reply: Reply | undefined): Promise<void> {
    if (reply && event) await this.outbound.postEphemeral(event.conversation, event.actor, reply);
  }

  /** Hand the event to the core; whatever it throws is logged and the actor told, never rethrown. */
  private async dispatch(event: InboundEvent): Promise<void> {
    // The HTTP ack is out already; the core's work starts once pending acks had their turn.
    await this.afterAcks.turn();
    if (!this.core) return;
    try {
      await this.core.handle(event, this);
    } catch (err) {
      this.log.error('slack: core failed on an event', { kind: event.kind, text: event.text, error: err instanceof Error ? err.message : String(err) });
      await this.safely(() => event.ack(textReply(INTERNAL_ERROR, { ephemeral: true, status: 'error' })));
    }
  }

  private async safely(send: () => Promise<void>): Promise<void> {
    try {
      await send();
    } catch (err) {
      this.log.warn('slack: could not send a reply', { error: err instanceof Error ? err.message : String(err) });
    }
  }
}

function unknownCommand(name: string): string {
  const known = SLASH_COMMANDS.map((c) => `/${c}`).join(' and ');
  return `triage-bot does not know ${name.slice(0, 40)}; it answers ${known}. Example: /migration-check HV01 HV02`;
}

/** Slack's error code when there is one (invalid_auth, ...), else the message. */
function reason(err: unknown): string {
  const code = (err as { data?: { error?: string } } | undefined)?.data?.error;
  return code ?? (err instanceof Error ? err.message : String(err));
}

function makeReceiver(options: SlackAdapterOptions, log: Logger, logger: ReturnType<typeof boltLogger>, clientOptions: webApi.WebClientOptions): Receiver {
  if (options.mode === 'http') {
    if (!options.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required when SLACK_MODE=http (Basic Information → Signing Secret).');
    // A receiver that verifies and validates every body, answers at once, and only then runs
    // Bolt's processing: a signed but malformed body never reaches code that throws outside a
    // listener, and an ack never waits behind another request's work (guarded-receiver.ts).
    return new GuardedHttpReceiver({ signingSecret: options.signingSecret, endpoint: '/slack/events', log });
  }
  if (!options.appToken) throw new Error('SLACK_APP_TOKEN (xapp-…, scope connections:write) is required when SLACK_MODE=socket.');
  return new SocketModeReceiver({ appToken: options.appToken, logger, installerOptions: { clientOptions } });
}
