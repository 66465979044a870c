import type { DirectionStatus, FindingCode, Severity } from '../diagnostics/findings.js';

// What changed between two runs of one cluster: a pure function of the two results, so a
// morning post can say "HV01 → HV02 broke overnight" and quiet mode can stay silent when
// nothing did. A direction fails when it is not ok (blocked or unknown). Findings are compared
// by (code, node, peer); info findings are left out (they record, they do not warn).

/** The parts of a run the comparison reads (a Diagnosis, or one loaded from the store). */
export interface RunSnapshot {
  nodes: string[];
  directions: Array<{ from: string; to: string; status: DirectionStatus; blockedBy?: FindingCode[] }>;
  findings: Array<{ code: FindingCode; severity: Severity; node?: string; peer?: string }>;
}

export interface DirectionChange {
  from: string;
  to: string;
  /** Status in the previous run; absent when the direction is new (a node joined). */
  before?: DirectionStatus;
  after: DirectionStatus;
  blockedBy: FindingCode[];
}

export interface FindingChange {
  code: FindingCode;
  severity: Severity;
  node?: string;
  peer?: string;
}

export interface RunDiff {
  /** No previous run to compare with. */
  first: boolean;
  /** Directions failing now that were ok (or did not exist) before. */
  newlyFailing: DirectionChange[];
  /** Directions ok now that failed before. */
  resolved: DirectionChange[];
  /** Directions failing in both runs (a blocked ↔ unknown switch shows in before/after). */
  stillFailing: DirectionChange[];
  newFindings: FindingChange[];
  resolvedFindings: FindingChange[];
  nodesAdded: string[];
  nodesRemoved: string[];
  /** Anything above differs from the previous run. */
  changed: boolean;
}

const failing = (s: DirectionStatus | undefined): boolean => s !== undefined && s !== 'ok';
const directionKey = (d: { from: string; to: string }) => `${d.from}\u0000${d.to}`;
const findingKey = (f: FindingChange) => `${f.code}\u0000${f.node ?? ''}\u0000${f.peer ?? ''}`;

function reportable(snapshot: RunSnapshot | null): Map<string, FindingChange> {
  const out = new Map<string, FindingChange>();
  for (const f of snapshot?.findings ?? []) {
    if (f.severity === 'info') continue;
    const change: FindingChange = { code: f.code, severity: f.severity, ...(f.node ? { node: f.node } : {}), ...(f.peer ? { peer: f.peer } : {}) };
    out.set(findingKey(change), change);
  }
  return out;
}

export function diffRuns(previous: RunSnapshot | null, current: RunSnapshot): RunDiff {
  const before = new Map((previous?.directions ?? []).map((d) => [directionKey(d), d]));
  const newlyFailing: DirectionChange[] = [];
  const resolved: DirectionChange[] = [];
  const stillFailing: DirectionChange[] = [];
  for (const d of current.directions) {
    const old = before.get(directionKey(d))?.status;
    const change: DirectionChange = { from: d.from, to: d.to, ...(old ? { before: old } : {}), after: d.status, blockedBy: d.blockedBy ?? [] };
    if (failing(d.status)) (failing(old) ? stillFailing : newlyFailing).push(change);
    else if (failing(old)) resolved.push(change);
  }
  const was = reportable(previous);
  const now = reportable(current);
  const newFindings = [...now].filter(([k]) => !was.has(k)).map(([, f]) => f);
  const resolvedFindings = [...was].filter(([k]) => !now.has(k)).map(([, f]) => f);
  const oldNodes = new Set(previous?.nodes ?? []);
  const newNodes = new Set(current.nodes);
  const nodesAdded = previous ? current.nodes.filter((n) => !oldNodes.has(n)) : [];
  const nodesRemoved = (previous?.nodes ?? []).filter((n) => !newNodes.has(n));
  // Before the first run nothing is known, so a first run "changes" only if something fails.
  const flipped = stillFailing.some((d) => d.before !== d.after);
  const changed = previous
    ? newlyFailing.length + resolved.length + newFindings.length + resolvedFindings.length + nodesAdded.length + nodesRemoved.length > 0 || flipped
    : newlyFailing.length + newFindings.length > 0;
  return { first: previous === null, newlyFailing, resolved, stillFailing, newFindings, resolvedFindings, nodesAdded, nodesRemoved, changed };
}

/** Something is wrong now: a direction is not ok, or there is an error finding. */
export function somethingFails(current: RunSnapshot): boolean {
  return current.directions.some((d) => failing(d.status)) || current.findings.some((f) => f.severity === 'error');
}
