import { FIXABLE_CODES, type Direction, type Finding, type FindingCode, type Verdict, type VerdictStatus } from './findings.js';
import { byImportance } from './importance.js';

// The verdict: blocked if any direction is blocked; else unknown if any is unknown; else
// degraded if any error or warning was found; else healthy. Root causes are the codes that
// block directions (for an unknown verdict: the codes that leave directions unknown), the one
// blocking the most directions first, ties broken by importance.

export function computeVerdict(directions: Direction[], findings: Finding[]): Verdict {
  const status = statusOf(directions, findings);
  const counts = new Map<FindingCode, number>();
  for (const d of directions) {
    const codes = status === 'unknown' ? (d.unknownBecause ?? []) : d.status === 'blocked' ? d.blockedBy : [];
    for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  const rootCauses = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || byImportance(a, b));
  const fixableCauses = rootCauses.filter((c) => FIXABLE_CODES.has(c));
  const manualCauses = rootCauses.filter((c) => !FIXABLE_CODES.has(c));
  return { status, rootCauses, fixable: fixableCauses.length > 0, fixableCauses, manualCauses };
}

function statusOf(directions: Direction[], findings: Finding[]): VerdictStatus {
  if (directions.some((d) => d.status === 'blocked')) return 'blocked';
  if (directions.some((d) => d.status === 'unknown')) return 'unknown';
  if (findings.some((f) => f.severity === 'error' || f.severity === 'warning')) return 'degraded';
  return 'healthy';
}
