import type { Evidence } from '../evidence.js';
import { factsOf } from '../facts.js';
import type { Finding } from '../findings.js';
import { CORRELATION_WINDOW_DAYS, HARDENING_UPDATES } from '../hardening-updates.js';
import { finding } from '../make-finding.js';
import { failureEvents } from './events.js';

// DOMAIN.md §1 check 15 and §4: a known hardening update installed on a node on the day of the
// first live-migration failure, or at most 30 days before it, is a suspect worth showing.

const DAY_MS = 86_400_000;

export function checkHardening(evidence: Evidence): Finding[] {
  const first = failureEvents(evidence)[0];
  if (!first) return [];
  const failureDay = Date.parse(first.event.time.slice(0, 10) + 'T00:00:00Z');
  return factsOf(evidence).nodes.flatMap((n) =>
    (n.hotfixes ?? []).flatMap((h) => {
      const kb = h.id.toUpperCase();
      const about = HARDENING_UPDATES[kb];
      if (!about || h.installedOn === null) return [];
      const daysBefore = Math.round((failureDay - Date.parse(`${h.installedOn}T00:00:00Z`)) / DAY_MS);
      if (daysBefore < 0 || daysBefore > CORRELATION_WINDOW_DAYS) return [];
      const when = daysBefore === 0 ? 'the same day as' : `${daysBefore} day${daysBefore === 1 ? '' : 's'} before`;
      const message = `${n.node}: hardening update ${kb} (${about}) was installed ${h.installedOn}, ${when} the first live-migration failure (${first.event.time} on ${first.node})`;
      const ev = { kb, installedOn: h.installedOn, daysBefore, firstFailure: { node: first.node, id: first.event.id, time: first.event.time } };
      return [finding('HARDENING_UPDATE_CORRELATED', 'info', message, ev, { node: n.node })];
    }),
  );
}
