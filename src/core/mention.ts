import type { Platform } from '../kernel/platform.js';
import type { Reply } from './reply.js';

// Mentions as a Reply element, so the core never writes a platform's syntax: the core puts a
// token in its text, and each adapter renders it (Slack `<@U…>`, Teams `<at>…</at>` with a
// mention entity, the console the plain name). A token can only name one person: a group (the
// approvers) is notified through `Reply.notify`, which only the bot's own configuration fills,
// so text read from a host or AD can never page a group.

export interface Mention {
  platform: Platform;
  /** The platform's user id (Slack U…, Teams AAD object id, web persona). */
  id: string;
  /** For display where the platform has no mention syntax; never used for authorisation. */
  name?: string;
}

/** A group to notify: a Slack user group (S…), shown on the message that needs its attention. */
export interface GroupMention {
  platform: Platform;
  id: string;
  name?: string;
}

const OPEN = '\uE000';
const SEP = '\uE001';
const CLOSE = '\uE002';
const TOKEN = /\uE000([^\uE000-\uE002]*)\uE001([^\uE000-\uE002]*)\uE001([^\uE000-\uE002]*)\uE002/g;
const clean = (s: string) => s.replace(/[\uE000-\uE002]/g, '');

/** The token for a person, to put in any text of a Reply. */
export function mentionText(m: Mention): string {
  return `${OPEN}${clean(m.platform)}${SEP}${clean(m.id)}${SEP}${clean(m.name ?? '')}${CLOSE}`;
}

/** How a person is named in a message: a mention the adapter renders. */
export function mention(actor: { platform: Platform; id: string; displayName?: string }): string {
  return mentionText({ platform: actor.platform, id: actor.id, ...(actor.displayName ? { name: actor.displayName } : {}) });
}

/** Replaces every mention token in a text. */
export function renderMentions(text: string, render: (m: Mention) => string): string {
  return text.replace(TOKEN, (_all, platform: string, id: string, name: string) => render({ platform: platform as Platform, id, ...(name ? { name } : {}) }));
}

/** The plain name of a mention (the console, logs, the CLI). */
export const plainName = (m: Mention): string => m.name ?? m.id;

/** Every piece of text in a Reply, mapped (mentions rendered for one platform). */
export function mapReplyText(reply: Reply, f: (text: string) => string): Reply {
  return {
    ...reply,
    header: f(reply.header),
    ...(reply.verdict ? { verdict: { ...reply.verdict, text: f(reply.verdict.text) } } : {}),
    ...(reply.facts ? { facts: reply.facts.map((x) => ({ label: f(x.label), value: f(x.value) })) } : {}),
    ...(reply.sections ? { sections: reply.sections.map((s) => ({ ...s, title: f(s.title), lines: s.lines.map(f) })) } : {}),
    ...(reply.context ? { context: reply.context.map(f) } : {}),
  };
}

// A moment in time is an inline element too: Slack shows it in each reader's own time zone
// (`<!date^…>`), elsewhere it reads "2026-11-20 09:00 UTC".
const DATE_OPEN = '\uE003';
const DATE_CLOSE = '\uE004';
// An optional IANA zone rides along (`…Z|Europe/Paris`): where the platform cannot show each
// reader's own time, a schedule's next run reads in the zone its cron was written in.
const DATE_TOKEN = /\uE003(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z)(?:\|([A-Za-z0-9_+\-/]{1,64}))?\uE004/g;
const ZONE = /^[A-Za-z0-9_+\-/]{1,64}$/;

/** The token for a moment (an ISO 8601 UTC time); anything else is returned as it is. */
export function dateText(iso: string, zone?: string): string {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z$/.test(iso)) return iso;
  return `${DATE_OPEN}${iso}${zone && ZONE.test(zone) ? `|${zone}` : ''}${DATE_CLOSE}`;
}

/** "2026-11-20 09:00 UTC": what a reader sees where the platform has no local-time syntax. */
export const utcText = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** "Thu 26 Nov 2026, 08:00 (Europe/Paris)": a moment in a named zone (UTC if the zone is unknown). */
export function zonedText(iso: string, zone: string): string {
  try {
    const text = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
    return `${text} (${zone})`;
  } catch {
    return utcText(iso);
  }
}

/** A date where the platform has no local-time syntax: in its zone when it names one, else UTC. */
export const plainDate = (iso: string, zone?: string): string => (zone ? zonedText(iso, zone) : utcText(iso));

export function renderDates(text: string, render: (iso: string, zone?: string) => string): string {
  return text.replace(DATE_TOKEN, (_all, iso: string, zone: string | undefined) => render(iso, zone));
}

/** A Reply with every mention as its plain name and every date in UTC. */
export function withPlainMentions(reply: Reply): Reply {
  return mapReplyText(reply, (t) => renderDates(renderMentions(t, plainName), plainDate));
}
