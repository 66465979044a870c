import type { FindingCode, Severity } from '../diagnostics/findings.js';

// Findings grouped by code, one line per code naming the nodes or pairs it hits: a 16-node
// cluster with one missing SPN reads as one line, not fifteen.

export interface GroupableFinding {
  code: FindingCode;
  severity: Severity;
  node?: string;
  peer?: string;
}

export interface FindingGroup {
  code: FindingCode;
  severity: Severity;
  /** "HV01" or "HV01 → HV02"; "cluster" for a finding about no node. */
  places: string[];
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
/** Places named on one line before "and N more". */
export const PLACES_LISTED = 8;

export function placeOf(f: { node?: string; peer?: string }): string {
  if (f.node && f.peer) return `${f.node} → ${f.peer}`;
  return f.node ?? 'cluster';
}

/** Groups in severity order, then in the engine's order (most important first) within one. */
export function groupFindings(findings: GroupableFinding[]): FindingGroup[] {
  const groups = new Map<FindingCode, FindingGroup>();
  for (const f of findings) {
    const group = groups.get(f.code) ?? { code: f.code, severity: f.severity, places: [] };
    if (RANK[f.severity] < RANK[group.severity]) group.severity = f.severity;
    const place = placeOf(f);
    if (!group.places.includes(place)) group.places.push(place);
    groups.set(f.code, group);
  }
  return [...groups.values()].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}

/** "HV01, HV02, … and 3 more". */
export function listPlaces(places: string[], limit = PLACES_LISTED): string {
  const shown = places.slice(0, limit).join(', ');
  return places.length > limit ? `${shown} and ${places.length - limit} more` : shown;
}

export function groupLine(g: FindingGroup): string {
  return `${g.code} (${g.severity}, ${g.places.length}): ${listPlaces(g.places)}`;
}
