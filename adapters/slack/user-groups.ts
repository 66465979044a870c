import type { App } from '@slack/bolt';
import type { Logger } from '../../src/core/logger.js';

// Slack user-group membership for the policy's `slack-group:S…` roles. One usergroups.list call
// (include_users) answers for everyone, so it is cached for a few minutes and shared by
// concurrent lookups. Needs the usergroups:read scope; a failure leaves the groups unknown
// (the policy then sees none), never blocks the event.

type WebClient = App['client'];
export const GROUPS_TTL_MS = 5 * 60_000;

export class SlackUserGroups {
  private cache?: { at: number; byUser: Map<string, string[]> };
  private loading?: Promise<Map<string, string[]> | undefined>;

  constructor(
    private readonly client: WebClient,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** The user-group ids the user belongs to, or undefined when Slack could not say. */
  async groupsOf(userId: string): Promise<string[] | undefined> {
    const fresh = this.cache && this.now() - this.cache.at < GROUPS_TTL_MS ? this.cache.byUser : await this.refresh();
    return fresh ? (fresh.get(userId) ?? []) : undefined;
  }

  private refresh(): Promise<Map<string, string[]> | undefined> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<Map<string, string[]> | undefined> {
    try {
      const res = await this.client.usergroups.list({ include_users: true });
      const byUser = new Map<string, string[]>();
      for (const group of res.usergroups ?? []) {
        for (const user of group.users ?? []) if (group.id) byUser.set(user, [...(byUser.get(user) ?? []), group.id]);
      }
      this.cache = { at: this.now(), byUser };
      return byUser;
    } catch (err) {
      this.log.warn('slack: could not read user groups (is usergroups:read granted?)', { error: err instanceof Error ? err.message : String(err) });
      return this.cache?.byUser;
    }
  }
}
