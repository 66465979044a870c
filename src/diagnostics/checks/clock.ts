import type { Evidence } from '../evidence.js';
import { factsOf } from '../facts.js';
import type { Finding } from '../findings.js';
import { finding } from '../make-finding.js';

// docs/domain.md "Clock" (check 10): Kerberos rejects tickets beyond the 5-minute skew (KRB_AP_ERR_SKEW).
// Over a minute is worth a warning: it is drifting and will get there.
export const SKEW_ERROR_SECONDS = 300;
export const SKEW_WARNING_SECONDS = 60;

export function checkClock(evidence: Evidence): Finding[] {
  return factsOf(evidence).nodes.flatMap((n) => {
    const offset = n.security?.clockOffsetSeconds;
    if (offset === undefined) return [];
    const abs = Math.abs(offset);
    if (abs <= SKEW_WARNING_SECONDS) return [];
    const error = abs > SKEW_ERROR_SECONDS;
    const side = offset > 0 ? 'ahead of' : 'behind';
    const effect = error ? 'beyond the 300 s Kerberos limit, so its tickets are rejected' : `under the 300 s Kerberos limit but over ${SKEW_WARNING_SECONDS} s`;
    const message = `${n.node}: clock is ${abs} s ${side} the domain controller, ${effect}`;
    const evidence = { clockOffsetSeconds: offset, thresholdSeconds: error ? SKEW_ERROR_SECONDS : SKEW_WARNING_SECONDS };
    return [finding('CLOCK_SKEW', error ? 'error' : 'warning', message, evidence, { node: n.node })];
  });
}
