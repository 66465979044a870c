import type { Evidence } from '../diagnostics/evidence.js';
import { diagnose } from '../diagnostics/diagnose.js';
import type { Diagnosis } from '../diagnostics/findings.js';
import { sameHost } from '../kernel/node-name.js';
import type { RemediationPlan } from './plan.js';

// What the plan would change, judged by the engine itself: apply the planned values to a copy of
// the evidence and diagnose it again. The difference is what the diff card promises.

export function applyToEvidence(evidence: Evidence, plan: RemediationPlan): Evidence {
  const copy = structuredClone(evidence);
  const dir = copy.directory.computers;
  if (dir.ok) {
    for (const change of plan.delegation) {
      const c = dir.value.computers.find((x) => sameHost(x.name, change.computer));
      if (!c) continue;
      c.allowedToDelegateTo = [...change.desired.allowedToDelegateTo];
      c.userAccountControl = change.desired.userAccountControl;
      if (change.desired.allowedToActOnBehalfOf) c.allowedToActOnBehalfOf = [...change.desired.allowedToActOnBehalfOf];
    }
  }
  // The fix flow waits until every DC carries the write before it purges tickets (issue 19), and
  // refusals the KDC logged before the write describe the old values: the effect is judged with
  // the DCs' copies replicated and without those refusals (other KDC events still count).
  if (copy.dcs) {
    const rep = copy.dcs.replication;
    if (rep?.ok) {
      for (const entry of rep.value.dcs) {
        if (!entry.ok) continue;
        for (const held of entry.computers) {
          const change = plan.delegation.find((x) => sameHost(x.computer, held.computer));
          if (!change) continue;
          held.allowedToDelegateTo = [...change.desired.allowedToDelegateTo];
          held.userAccountControl = change.desired.userAccountControl;
          if (change.desired.allowedToActOnBehalfOf) held.allowedToActOnBehalfOf = [...change.desired.allowedToActOnBehalfOf];
        }
      }
    }
    if (plan.delegation.length > 0) {
      for (const dc of Object.values(copy.dcs.perDc)) {
        if (dc.kdcEvents.ok) dc.kdcEvents.value.events = dc.kdcEvents.value.events.filter((e) => !(e.id === 4769 && e.status?.toLowerCase() === '0xd'));
      }
    }
  }
  for (const auth of plan.migrationAuth) {
    const m = copy.hosts[auth.node]?.migration;
    if (m?.ok) m.value.authenticationType = auth.desired;
  }
  return copy;
}

export interface PlanEffect {
  after: Diagnosis;
  /** Directions blocked now and ok after the plan. */
  unblocks: Array<{ from: string; to: string }>;
  /** Directions still blocked after the plan, with what blocks them. */
  stillBlocked: Array<{ from: string; to: string; blockedBy: string[] }>;
}

export function planEffect(before: Diagnosis, evidence: Evidence, plan: RemediationPlan): PlanEffect {
  const after = diagnose(applyToEvidence(evidence, plan));
  const was = new Map(before.directions.map((d) => [`${d.from}>${d.to}`, d.status]));
  return {
    after,
    unblocks: after.directions.filter((d) => d.status === 'ok' && was.get(`${d.from}>${d.to}`) === 'blocked').map(({ from, to }) => ({ from, to })),
    stillBlocked: after.directions.filter((d) => d.status === 'blocked').map(({ from, to, blockedBy }) => ({ from, to, blockedBy })),
  };
}
