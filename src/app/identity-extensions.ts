import { slackUserGroupsExtension } from '../../adapters/slack/user-groups.js';
import type { Policy } from '../approvals/policy-schema.js';
import type { Config } from '../config/load.js';
import type { Logger } from '../core/logger.js';
import type { CoreExtension } from '../core/registry.js';

// The identity step's resolvers, chosen by the configuration.

/** Identity resolvers from the configuration: Slack user groups when SLACK_USER_GROUPS is on. */
export function identityExtensions(config: Pick<Config, 'slack'>, policy: Pick<Policy, 'roles'>, logger: Logger): CoreExtension[] {
  const { slack } = config;
  const groupRoles = Object.values(policy.roles).flat().some((m) => m.startsWith('slack-group:'));
  if (slack?.userGroups) return [slackUserGroupsExtension({ botToken: slack.botToken, ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}), logger })];
  if (slack && groupRoles) logger.warn('the policy grants roles to Slack user groups (slack-group:), but SLACK_USER_GROUPS is off: those grants match nobody');
  return [];
}
