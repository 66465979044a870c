import type { Platform } from '../kernel/platform.js';

/**
 * What every adapter throws from post/update/postEphemeral when the conversation is gone for
 * the bot for good: archived or deleted, or the bot removed from it (Slack's channel_not_found,
 * is_archived, not_in_channel…, Teams' 403/404, a console message that no longer exists). A
 * schedule pauses on it instead of trying again at every slot; anything else is worth a retry.
 * The platform's own words stay in the adapter: callers read `reason`.
 */
export class TargetGoneError extends Error {
  override readonly name = 'TargetGoneError';

  constructor(
    readonly platform: Platform,
    /** For logs and pause notes: "Slack answered is_archived", "Teams answered 403 …". */
    readonly reason: string,
    options: { message?: string; userSafe?: boolean; cause?: unknown } = {},
  ) {
    super(options.message ?? `the conversation is no longer reachable: ${reason}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.userSafe = options.userSafe ?? false;
  }

  /** Whether the message may be shown to the person who acted (it tells them what to do). */
  readonly userSafe: boolean;
}
