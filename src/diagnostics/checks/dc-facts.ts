import { shortName } from '../../kernel/node-name.js';
import type { KdcEvent } from '../../relay/protocol.js';
import type { DcEvidence, Evidence } from '../evidence.js';
import { sameName, type NodeFacts } from '../facts.js';

// Shared reading of the DC evidence (issue 19) for the KDC and replication checks: each read
// DC's KDC events in the window, and how a principal in an event maps back to a node.

export type DcEvent = KdcEvent & { dc: string };

/**
 * KDC events of every DC that answered, inside the window (and since `eventsSince`, as for the
 * nodes' events: a re-check after a fix counts only what the KDC logged after it), oldest first.
 */
export function kdcEventsOf(evidence: Evidence): DcEvent[] {
  const dcs = evidence.dcs;
  if (!dcs) return [];
  const windowStart = Date.parse(evidence.collectedAt) - dcs.windowHours * 3_600_000;
  const since = evidence.eventsSince ? Math.max(windowStart, Date.parse(evidence.eventsSince)) : windowStart;
  return Object.values(dcs.perDc)
    .flatMap((r) => (r.kdcEvents.ok ? r.kdcEvents.value.events.filter((e) => Date.parse(e.time) >= since).map((e) => ({ ...e, dc: r.dc })) : []))
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || a.dc.localeCompare(b.dc));
}

/** `HV01$@LAB.TEST`, `LAB\HV01$`, `HV01$` → `hv01`; an SPN stays whole, lower-cased. */
export function principalKey(value: string): string {
  const noRealm = value.replace(/@[^/]*$/, '');
  const noDomain = noRealm.includes('\\') ? noRealm.slice(noRealm.indexOf('\\') + 1) : noRealm;
  return noDomain.replace(/\$$/, '').toLowerCase();
}

/** Does this principal (an account or an SPN `class/host`) name the node, optionally only with these service classes? */
export function principalNames(value: string | null, n: NodeFacts, classes?: string[]): boolean {
  if (value === null) return false;
  const key = principalKey(value);
  const slash = key.indexOf('/');
  if (slash < 0) return classes === undefined && (key === n.short.toLowerCase() || shortName(key) === n.short);
  const cls = key.slice(0, slash);
  const host = key.slice(slash + 1).replace(/:\d+$/, '');
  if (classes && !classes.some((c) => c.toLowerCase() === cls)) return false;
  return host.toUpperCase() === n.short || (n.fqdn !== undefined && host === sameName(n.fqdn));
}

/** Does a System event's text name the node (short name or FQDN, as a whole word)? */
export function textNames(text: string, n: NodeFacts): boolean {
  const forms = [n.short, ...(n.fqdn ? [n.fqdn] : [])].map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(^|[^A-Za-z0-9-])(${forms.join('|')})($|[^A-Za-z0-9-])`, 'i').test(text);
}

/** DCs asked whose reads failed: their evidence is unknown. */
export function unansweredDcs(dcs: DcEvidence): Array<{ dc: string; reads: string[]; error: { code: string; message: string } }> {
  const out: Array<{ dc: string; reads: string[]; error: { code: string; message: string } }> = [];
  for (const r of Object.values(dcs.perDc)) {
    const failed = [r.kdcEvents.ok ? undefined : ['dc.kdc-events', r.kdcEvents.error] as const, r.hotfixes.ok ? undefined : ['dc.hotfixes', r.hotfixes.error] as const].filter((x) => x !== undefined);
    if (failed.length > 0) out.push({ dc: r.dc, reads: failed.map(([read]) => read), error: failed[0]![1] });
  }
  const rep = dcs.replication;
  if (rep && !rep.ok) for (const dc of dcs.read) pushRead(out, dc, 'directory.replication', rep.error);
  if (rep?.ok) for (const e of rep.value.dcs) if (!e.ok) pushRead(out, e.dc, 'directory.replication', e.error);
  return out;
}

function pushRead(out: Array<{ dc: string; reads: string[]; error: { code: string; message: string } }>, dc: string, read: string, error: { code: string; message: string }): void {
  const existing = out.find((o) => shortName(o.dc) === shortName(dc));
  if (existing) existing.reads.push(read);
  else out.push({ dc, reads: [read], error });
}
