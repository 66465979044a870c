import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HTTPReceiver } from '@slack/bolt';

// Slack's replay rule is "x-slack-request-timestamp within five minutes" of now
// (https://api.slack.com/authentication/verifying-requests-from-slack). Bolt's HTTPReceiver
// checks only the past (a request stamped an hour AHEAD passes), so a captured request stamped in
// the future could be replayed for that long. This check runs before Bolt's, both directions.

export const MAX_REQUEST_AGE_SECONDS = 5 * 60;

/** Why a request's timestamp header is refused, or undefined when it is within five minutes. */
export function requestAgeProblem(header: string | string[] | undefined, nowMs: number): string | undefined {
  if (typeof header !== 'string' || !/^\d{1,12}$/.test(header)) return 'missing or malformed x-slack-request-timestamp';
  const offset = Number(header) - Math.floor(nowMs / 1000);
  if (offset > MAX_REQUEST_AGE_SECONDS) return `x-slack-request-timestamp is ${offset} s in the future`;
  if (-offset > MAX_REQUEST_AGE_SECONDS) return `x-slack-request-timestamp is ${-offset} s old`;
  return undefined;
}

/**
 * Wraps the receiver's request listener: a request to an event endpoint whose timestamp is more
 * than five minutes off either way gets 401 with no body, as Bolt answers a bad signature.
 */
export function refuseRequestsOutsideFiveMinutes(receiver: HTTPReceiver, endpoints: string[], onRefused: (problem: string) => void, now: () => number = Date.now): void {
  const inner = receiver.requestListener;
  receiver.requestListener = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method === 'POST' && endpoints.includes(path)) {
      const problem = requestAgeProblem(req.headers['x-slack-request-timestamp'], now());
      if (problem) {
        onRefused(problem);
        req.resume();
        res.writeHead(401).end();
        return;
      }
    }
    return inner(req, res);
  };
}
