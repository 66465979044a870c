import type { Evidence } from '../evidence.js';
import { factsOf } from '../facts.js';
import type { Finding } from '../findings.js';
import { CORRELATION_WINDOW_DAYS, describeUpdate } from '../hardening-updates.js';
import { finding } from '../make-finding.js';
import { failureEvents } from './events.js';

// docs/domain.md "Updates and hardening" (check 15): correlate by timing. Any update installed on
// a node on the day of the first authentication failure, or at most 7 days before it, is a
// suspect: info when nothing more is known of it, a warning when it is a cumulative update of a
// known Kerberos-hardening month (then the finding says which change it carried). The domain
// controllers' updates (where KDC hardening lives) join when the DCs were read (issue 19); when
// they were not, the message says to check them.

const DAY_MS = 86_400_000;

export function checkHardening(evidence: Evidence): Finding[] {
  const first = failureEvents(evidence).find((e) => e.class === 'auth');
  if (!first) return [];
  const failureDay = Date.parse(first.event.time.slice(0, 10) + 'T00:00:00Z');
  const sources: Array<{ node?: string; dc?: string; label: string; hotfixes: Array<{ id: string; installedOn: string | null }> }> = [
    ...factsOf(evidence).nodes.map((n) => ({ node: n.node, label: n.node, hotfixes: n.hotfixes ?? [] })),
    // Issue 19: the DCs' updates join the correlation (KDC hardening is installed there).
    ...Object.values(evidence.dcs?.perDc ?? {}).map((r) => ({ dc: r.dc, label: `${r.dc} (domain controller)`, hotfixes: r.hotfixes.ok ? r.hotfixes.value.hotfixes : [] })),
  ];
  const dcsRead = Object.values(evidence.dcs?.perDc ?? {}).some((r) => r.hotfixes.ok);
  return sources.flatMap((src) =>
    src.hotfixes.flatMap((h) => {
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
      const tail = dcsRead ? '' : '; check the updates on the domain controllers too';
      const message = `${src.label}: ${kb} (${what}) was installed ${h.installedOn}, ${when} the first authentication failure (${first.event.time} on ${first.node})${tail}`;
      const ev = {
        kb,
        installedOn: h.installedOn,
        daysBefore,
        released: known?.released ?? null,
        os: known?.os ?? null,
        hardening: known?.hardening ?? null,
        firstFailure: { node: first.node, id: first.event.id, time: first.event.time },
        ...(src.dc ? { dc: src.dc } : {}),
      };
      return [finding('HARDENING_UPDATE_CORRELATED', known?.hardening ? 'warning' : 'info', message, ev, src.node ? { node: src.node } : {})];
    }),
  );
}
