// Text helpers for Slack mrkdwn. Everything that reaches a Block Kit text field comes from the
// neutral Reply (host names, event messages, LDAP values), so it is escaped: `<!channel>` or a
// crafted link in an event message must render as text, never as a mention or a link.

const USER_MENTION = /^(?:<@[UW][A-Z0-9]{2,20}>|<!date\^\d{1,12}\^\{date_short_pretty\} \{time\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC>)$/;

/**
 * Escape the three characters Slack's mrkdwn treats as control characters. Two forms pass
 * through: a plain user mention `<@U123ABC>` ("Run by …") and a date `<!date^…|… UTC>` in the one
 * shape the adapter writes; neither can broadcast (`<!channel>`) or link.
 */
export function escapeMrkdwn(text: string): string {
  return text
    .split(/(<@[UW][A-Z0-9]{2,20}>|<!date\^\d{1,12}\^\{date_short_pretty\} \{time\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC>)/)
    .map((part) => (USER_MENTION.test(part) ? part : part.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('');
}

/**
 * Split lines into chunks whose joined length (with `\n`) stays within `max` characters.
 * A single line longer than `max` is split at `max` characters; nothing is dropped.
 */
export function chunkLines(lines: string[], max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  const flush = (): void => {
    if (current.length > 0) chunks.push(current);
    current = '';
  };
  for (const line of lines.flatMap((l) => splitLong(l, max))) {
    const candidate = current.length === 0 ? line : `${current}\n${line}`;
    if (candidate.length > max) {
      flush();
      current = line;
    } else {
      current = candidate;
    }
  }
  flush();
  return chunks;
}

function splitLong(line: string, max: number): string[] {
  const parts: string[] = [];
  let rest = line;
  while (rest.length > max) {
    const at = safeCut(rest, max);
    parts.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  parts.push(rest);
  return parts;
}

/** A cut point at or before `max` that splits neither an `&amp;`-style entity nor a surrogate pair. */
function safeCut(text: string, max: number): number {
  let at = max;
  const amp = text.lastIndexOf('&', at - 1);
  if (amp >= 0 && at - amp < 6 && !text.slice(amp, at).includes(';')) at = amp;
  const code = text.charCodeAt(at - 1);
  if (code >= 0xd800 && code <= 0xdbff) at -= 1;
  return at > 0 ? at : max;
}

/**
 * At most `max` characters, ending in a pointer to where the whole text is. Only for the summary
 * of a message whose full content is attached, so nothing is lost.
 */
export function brief(text: string, max: number, whereTheRestIs: string): string {
  if (text.length <= max) return text;
  const tail = `… (continued in ${whereTheRestIs})`;
  const cut = Math.max(0, max - tail.length);
  const code = text.charCodeAt(cut - 1);
  return `${text.slice(0, code >= 0xd800 && code <= 0xdbff ? cut - 1 : cut)}${tail}`;
}
