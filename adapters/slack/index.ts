import type { Config } from '../../src/config/load.js';
import type { Logger } from '../../src/core/logger.js';
import { SlackAdapter, type SlackAdapterOptions } from './adapter.js';

// Entry point of the Slack adapter: build it from the typed config. Undefined when Slack is not
// configured (SLACK_BOT_TOKEN unset); loadConfig has already checked that the token the chosen
// mode needs (SLACK_APP_TOKEN or SLACK_SIGNING_SECRET) is there.

export { SlackAdapter, DEFAULT_RETRY, type SlackAdapterOptions } from './adapter.js';
export { renderBlocks, type RenderedMessage } from './render.js';
export { checkLimits, LIMITS } from './limits.js';

export function createSlackAdapter(config: Config, logger: Logger, extra: Partial<SlackAdapterOptions> = {}): SlackAdapter | undefined {
  const slack = config.slack;
  if (!slack) return undefined;
  return new SlackAdapter({
    botToken: slack.botToken,
    mode: slack.mode,
    ...(slack.appToken ? { appToken: slack.appToken } : {}),
    ...(slack.signingSecret ? { signingSecret: slack.signingSecret } : {}),
    port: slack.port,
    listenHost: slack.listenHost,
    ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}),
    logger,
    logLevel: config.logLevel,
    ...extra,
  });
}
