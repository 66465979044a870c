import { runChecks } from './checks/index.js';
import { computeDirections } from './directions.js';
import type { Evidence } from './evidence.js';
import { refreshFacts } from './facts.js';
import { annotateMoves } from './moves.js';
import type { Diagnosis, Finding, Severity } from './findings.js';
import { computeVerdict } from './verdict.js';

// Evidence in, diagnosis out: a pure function, so the same evidence always gives the same
// answer (the store keeps the evidence; a diagnosis can be recomputed from it).

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function diagnose(evidence: Evidence): Diagnosis {
  refreshFacts(evidence);
  const checked = sortFindings(runChecks(evidence), evidence.nodes);
  const directions = computeDirections(evidence, checked);
  const findings = annotateMoves(evidence, checked, directions);
  return { nodes: [...evidence.nodes], collectedAt: evidence.collectedAt, verdict: computeVerdict(directions, findings), directions, findings };
}

/** Findings that only corroborate (events, update timing) read best after the causes they explain. */
const CORROBORATING = new Set<string>(['LM_AUTH_FAILURE_EVENT', 'LM_FAILURE_EVENT_OTHER', 'HARDENING_UPDATE_CORRELATED', 'INITIATOR_NOT_CHECKED', 'DC_EVIDENCE_UNKNOWN']);

/**
 * Errors first, then warnings, then info; within a severity cluster-wide findings first, then by
 * node and peer as given, a node's events after its configuration findings.
 */
export function sortFindings(findings: Finding[], nodes: string[]): Finding[] {
  const pos = (name: string | undefined) => (name === undefined ? -1 : nodes.indexOf(name));
  const late = (f: Finding) => (CORROBORATING.has(f.code) ? 1 : 0);
  return findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        SEVERITY_ORDER[a.f.severity] - SEVERITY_ORDER[b.f.severity] ||
        pos(a.f.node) - pos(b.f.node) ||
        late(a.f) - late(b.f) ||
        pos(a.f.peer) - pos(b.f.peer) ||
        a.i - b.i,
    )
    .map(({ f }) => f);
}
