import { mapReplyText, plainName, renderDates, renderMentions, utcText } from '../../src/core/mention.js';
import type { Reply } from '../../src/core/reply.js';

// The core's mention elements in Slack syntax. A person becomes `<@U…>` (the one form
// escapeMrkdwn lets through); a person from another platform, or an id that is not a Slack user
// id, is their plain name. A group to notify becomes `<!subteam^S…>`, written by the renderer
// outside any escaped text, and only for ids shaped like a Slack user-group id.

const SLACK_USER = /^[UW][A-Z0-9]{2,20}$/;
const SLACK_GROUP = /^S[A-Z0-9]{2,20}$/;

export function withSlackMentions(reply: Reply): Reply {
  return mapReplyText(reply, (text) => renderDates(renderMentions(text, (m) => (m.platform === 'slack' && SLACK_USER.test(m.id) ? `<@${m.id}>` : plainName(m))), slackDate));
}

/** `<!date^…>`: each reader sees the moment in their own time zone; the fallback is UTC. */
export function slackDate(iso: string): string {
  return `<!date^${Math.floor(Date.parse(iso) / 1000)}^{date_short_pretty} {time}|${utcText(iso)}>`;
}

/** "<!subteam^S123>" for each Slack group to notify; other platforms' groups are left out. */
export function groupMentions(reply: Reply): string[] {
  return (reply.notify ?? []).filter((g) => g.platform === 'slack' && SLACK_GROUP.test(g.id)).map((g) => `<!subteam^${g.id}>`);
}
