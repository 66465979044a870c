import { webApi } from '@slack/bolt';
import type { Logger } from '../../src/core/logger.js';
import type { CoreExtension, IdentityResolver } from '../../src/core/registry.js';

// Slack user-group membership for the policy's `slack-group:S…` roles, as an identity resolver
// of the core's chain (not part of the adapter: the adapter only translates events). One
// usergroups.list call (include_users) answers for everyone, so it is cached for a few minutes
// and shared by concurrent lookups. Needs the usergroups:read scope; a failure leaves the groups
// unknown (the policy then sees none), never blocks the event. Wired by the composition root
// when SLACK_USER_GROUPS is on (src/app/extensions.ts).

type WebClient = Pick<webApi.WebClient, 'usergroups'>;
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

  /** The chain's identity step: a Slack actor gains their group ids; anyone else is left as is. */
  readonly resolve: IdentityResolver = async (actor) => {
    if (actor.platform !== 'slack') return actor;
    const groups = await this.groupsOf(actor.id);
    return groups ? { ...actor, groups } : actor;
  };

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

export interface SlackUserGroupsOptions {
  botToken: string;
  /** Web API base URL (proxies, tests). */
  apiUrl?: string;
  logger: Logger;
  retryConfig?: webApi.RetryOptions;
}

/** The core extension that adds Slack user groups to each Slack actor before roles are asked. */
export function slackUserGroupsExtension(options: SlackUserGroupsOptions): CoreExtension {
  const client = new webApi.WebClient(options.botToken, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: options.retryConfig ?? { retries: 2, minTimeout: 500, maxTimeout: 5_000 },
  });
  const groups = new SlackUserGroups(client, options.logger);
  return { name: 'slack-user-groups', register: (r) => r.identify(groups.resolve) };
}
