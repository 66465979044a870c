import type { Diagnosis, Severity } from '../diagnostics/findings.js';
import { matrixOf, resultButtons, verdictText } from '../core/render-diagnosis.js';
import { nextStepsSection } from '../core/next-steps.js';
import { dateText } from '../core/mention.js';
import type { Reply, ReplySection } from '../core/reply.js';
import { groupFindings, groupLine, listPlaces, placeOf } from './finding-groups.js';
import type { DirectionChange, RunDiff } from './health-diff.js';

// Cluster health as the neutral Reply: verdict, the whole direction matrix (each renderer
// draws a grid up to 16 nodes and a summary plus the full matrix as a file or follow-up cards
// beyond that), what changed since the previous run, and findings grouped by code.

export interface HealthReplyOptions {
  cluster: string;
  recordId: string;
  /** When the previous run was collected; absent for a first run. */
  previousAt?: string;
  context: string[];
}

const pair = (d: DirectionChange) => `${d.from} → ${d.to}`;

function failureNote(d: DirectionChange): string {
  const causes = d.blockedBy.length ? `: ${d.blockedBy.join(', ')}` : '';
  const was = d.before && d.before !== d.after ? `, was ${d.before}` : '';
  return `${pair(d)} (${d.after}${causes}${was})`;
}

/** One sentence for the top of a post: "Since the last run (…): 1 new failure, 1 resolved." */
export function changeSummary(diff: RunDiff, previousAt?: string): string {
  if (diff.first) return 'First run of this cluster: nothing to compare with yet.';
  const parts: string[] = [];
  const count = (n: number, one: string, many = `${one}s`) => n > 0 && parts.push(`${n} ${n === 1 ? one : many}`);
  count(diff.newlyFailing.length, 'new failing direction');
  count(diff.resolved.length, 'direction fixed', 'directions fixed');
  count(diff.newFindings.length, 'new finding');
  count(diff.resolvedFindings.length, 'finding gone', 'findings gone');
  count(diff.nodesAdded.length, 'node added', 'nodes added');
  count(diff.nodesRemoved.length, 'node removed', 'nodes removed');
  const flipped = diff.stillFailing.filter((d) => d.before !== d.after).length;
  count(flipped, 'failing direction changed status', 'failing directions changed status');
  const since = previousAt ? ` (${previousAt})` : '';
  return parts.length ? `Since the last run${since}: ${parts.join(', ')}.` : `No change since the last run${since}.`;
}

export function changeLines(diff: RunDiff): string[] {
  const lines: string[] = [];
  const add = (label: string, items: string[]) => items.length && lines.push(`${label} (${items.length}): ${listPlaces(items)}`);
  // On a first run nothing is "new": there is nothing before it. Those directions simply fail now.
  add(diff.first ? 'Failing now' : 'Newly failing', diff.newlyFailing.map(failureNote));
  add('Fixed', diff.resolved.map((d) => `${pair(d)} (was ${d.before})`));
  add('Still failing', diff.stillFailing.map(failureNote));
  add('New findings', diff.newFindings.map((f) => `${f.code} · ${placeOf(f)}`));
  add('Findings gone', diff.resolvedFindings.map((f) => `${f.code} · ${placeOf(f)}`));
  add('Nodes added', diff.nodesAdded);
  add('Nodes removed', diff.nodesRemoved);
  if (lines.length === 0) lines.push(diff.first ? 'Nothing to compare with: this is the first run.' : 'Nothing changed.');
  return lines;
}

function worst(d: Diagnosis): Severity | undefined {
  for (const s of ['error', 'warning', 'info'] as const) if (d.findings.some((f) => f.severity === s)) return s;
  return undefined;
}

export function healthSections(d: Diagnosis, diff: RunDiff, previousAt?: string): ReplySection[] {
  const sections: ReplySection[] = [];
  const changeSeverity: Severity | undefined = diff.newlyFailing.length ? 'error' : diff.changed ? 'warning' : undefined;
  sections.push({ title: diff.first ? 'What changed' : `What changed since ${previousAt ?? 'the last run'}`, ...(changeSeverity ? { severity: changeSeverity } : {}), lines: changeLines(diff) });
  const groups = groupFindings(d.findings);
  const severity = worst(d);
  if (groups.length) sections.push({ title: `Findings by code (${groups.length})`, ...(severity ? { severity } : {}), lines: groups.map(groupLine) });
  const next = nextStepsSection(d);
  if (next) sections.push(next);
  return sections;
}

export function healthReply(d: Diagnosis, diff: RunDiff, opts: HealthReplyOptions): Reply {
  return {
    header: `Cluster health · ${opts.cluster}`,
    verdict: { status: d.verdict.status, text: `${verdictText(d)} ${changeSummary(diff, opts.previousAt)}` },
    facts: [
      { label: 'Nodes', value: d.nodes.length <= 16 ? d.nodes.join(', ') : `${d.nodes.length} nodes (${d.nodes.slice(0, 4).join(', ')}, …)` },
      // Date elements: each Slack reader's own time zone, UTC elsewhere.
      { label: 'Evidence collected', value: dateText(d.collectedAt) },
      { label: 'Previous run', value: opts.previousAt ? dateText(opts.previousAt) : 'none' },
    ],
    matrix: matrixOf(d),
    sections: healthSections(d, diff, opts.previousAt),
    buttons: resultButtons(d, opts.recordId, true),
    context: opts.context,
    reportId: opts.recordId,
  };
}
