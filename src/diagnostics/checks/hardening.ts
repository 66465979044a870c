import type { Evidence } from '../evidence.js';
import { factsOf } from '../facts.js';
import type { Finding } from '../findings.js';
import { CORRELATION_WINDOW_DAYS, describeUpdate } from '../hardening-updates.js';
import { finding } from '../make-finding.js';
import { failureEvents } from './events.js';

// docs/domain.md "Updates and hardening" (check 15): correlate by timing. Any update installed on
// a node on the day of the first authentication failure, or at most 7 days before it, is a
// suspect: info when nothing more is known of it, a warning when it is a cumulative update of a
// known Kerberos-hardening month (then the finding says which change it carried). Evidence from
// the domain controllers (where KDC hardening lives) is not read yet; the message says so.

const DAY_MS = 86_400_000;

export function checkHardening(evidence: Evidence): Finding[] {
  const first = failureEvents(evidence).find((e) => e.class === 'auth');
  if (!first) return [];
  const failureDay = Date.parse(first.event.time.slice(0, 10) + 'T00:00:00Z');
  return factsOf(evidence).nodes.flatMap((n) =>
    (n.hotfixes ?? []).flatMap((h) => {
      if (h.installedOn === null) return [];
      const kb = h.id.toUpperCase();
      const daysBefore = Math.round((failureDay - Date.parse(`${h.installedOn}T00:00:00Z`)) / DAY_MS);
      if (daysBefore < 0 || daysBefore > CORRELATION_WINDOW_DAYS) return [];
      const known = describeUpdate(kb);
      const when = daysBefore === 0 ? 'the same day as' : `${daysBefore} day${daysBefore === 1 ? '' : 's'} before`;
      const what = known
        ? known.hardening
          ? `the ${known.os} cumulative update of ${known.released}, a Kerberos-hardening month: ${known.hardening.change} (${known.hardening.guidance})`
          : `the ${known.os} cumulative update of ${known.released}`
        : 'an update this bot has no release date for';
      const message = `${n.node}: ${kb} (${what}) was installed ${h.installedOn}, ${when} the first authentication failure (${first.event.time} on ${first.node}); check the updates on the domain controllers too`;
      const ev = {
        kb,
        installedOn: h.installedOn,
        daysBefore,
        released: known?.released ?? null,
        os: known?.os ?? null,
        hardening: known?.hardening ?? null,
        firstFailure: { node: first.node, id: first.event.id, time: first.event.time },
      };
      return [finding('HARDENING_UPDATE_CORRELATED', known?.hardening ? 'warning' : 'info', message, ev, { node: n.node })];
    }),
  );
}
