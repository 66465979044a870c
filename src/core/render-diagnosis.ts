import type { Diagnosis, Finding, Severity } from '../diagnostics/findings.js';
import type { Reply, ReplyButton, ReplyMatrix, ReplySection } from './reply.js';
import { evidenceFacts } from './evidence-facts.js';
import { nextStepsSection } from './next-steps.js';
import { dateText } from './mention.js';

// A diagnosis as the neutral Reply: verdict first, the direction matrix, findings grouped by
// severity with their evidence, and the buttons that make sense for this verdict.

export interface DiagnosisReplyOptions {
  title: string;
  recordId: string;
  /** Context line: who ran it, when, which relay. */
  context: string[];
  /** Show the Test migration button (needs VMs on the nodes, known at click time). */
  canTestMigration?: boolean;
  /** DOCS_BASE_URL: where the "What to do next" links point; unset, the repository path. */
  docsBaseUrl?: string;
}

const STATUS_TEXT = {
  healthy: 'Healthy: live migration is permitted in every direction checked.',
  blocked: 'Blocked',
  degraded: 'Degraded: every direction is permitted, but there are problems to look at.',
  unknown: 'Unknown: some directions could not be judged because evidence is missing.',
} as const;

export function verdictText(d: Diagnosis): string {
  const count = (s: string) => d.directions.filter((x) => x.status === s).length;
  const counts = `${count('ok')} of ${d.directions.length} directions ok, ${count('blocked')} blocked, ${count('unknown')} unknown`;
  const parts = [d.verdict.status === 'blocked' ? `Blocked: ${counts}.` : `${STATUS_TEXT[d.verdict.status]} (${counts}.)`];
  if (d.verdict.rootCauses.length) parts.push(`Root causes: ${d.verdict.rootCauses.join(', ')}.`);
  if (d.verdict.fixable && evidenceComplete(d)) parts.push(`The bot can propose a fix for ${d.verdict.fixableCauses.join(', ')}.`);
  else if (d.verdict.fixable) parts.push(`A fix for ${d.verdict.fixableCauses.join(', ')} is offered once AD and every host answer: re-run the check then.`);
  if (d.verdict.manualCauses.length) parts.push(`Needs a person: ${d.verdict.manualCauses.join(', ')}.`);
  return parts.join(' ');
}

export function matrixOf(d: Diagnosis): ReplyMatrix {
  const cells: ReplyMatrix['cells'] = {};
  for (const x of d.directions) (cells[x.from] ??= {})[x.to] = x.status;
  return { nodes: d.nodes, cells };
}

export function findingLine(f: Finding): string {
  const where = f.peer ? `${f.node} → ${f.peer}` : f.node;
  // Messages usually name their node already; say where only when they do not.
  return where && !f.message.includes(f.node!) ? `${f.code} · ${where}: ${f.message}` : `${f.code} · ${f.message}`;
}

/** Evidence in a message, as facts (each bounded); "Show evidence" attaches it whole. */
export function evidenceLine(f: Finding): string {
  return evidenceFacts(f).join('; ');
}

const SECTION_TITLES: Record<Severity, string> = { error: 'Errors', warning: 'Warnings', info: 'Information' };

export function findingSections(d: Diagnosis, withEvidence: boolean): ReplySection[] {
  const sections: ReplySection[] = [];
  for (const severity of ['error', 'warning', 'info'] as const) {
    const found = d.findings.filter((f) => f.severity === severity);
    if (found.length === 0) continue;
    const lines = found.flatMap((f) => (withEvidence ? [findingLine(f), ...evidenceFacts(f).map((fact) => `    ${fact}`)] : [findingLine(f)]));
    sections.push({ title: `${SECTION_TITLES[severity]} (${found.length})`, severity, lines });
  }
  return sections;
}

/**
 * A fix is only offered on complete evidence: with AD or a host unread (relay, DC or WinRM down)
 * the plan would be made against values nobody has seen. Re-run once they answer.
 */
export function evidenceComplete(d: Diagnosis): boolean {
  return !d.findings.some((f) => f.code === 'DIRECTORY_UNREACHABLE' || f.code === 'NODE_UNREACHABLE');
}

export function resultButtons(d: Diagnosis, recordId: string, canTestMigration: boolean): ReplyButton[] {
  const buttons: ReplyButton[] = [];
  if (d.verdict.fixable && evidenceComplete(d)) buttons.push({ action: 'propose-fix', label: 'Propose fix', recordId, style: 'primary' });
  buttons.push({ action: 'rerun', label: 'Re-run', recordId });
  buttons.push({ action: 'show-evidence', label: 'Show evidence', recordId });
  if (canTestMigration) buttons.push({ action: 'test-migration', label: 'Test migration', recordId });
  return buttons;
}

/** The findings, then what a person must do for those the bot cannot fix. */
export function diagnosisSections(d: Diagnosis, docsBaseUrl?: string): ReplySection[] {
  const next = nextStepsSection(d, docsBaseUrl);
  return [...findingSections(d, true), ...(next ? [next] : [])];
}

export function diagnosisReply(d: Diagnosis, opts: DiagnosisReplyOptions): Reply {
  return {
    header: opts.title,
    verdict: { status: d.verdict.status, text: verdictText(d) },
    facts: [
      { label: 'Nodes', value: d.nodes.join(', ') },
      // A date element: each Slack reader's own time, UTC elsewhere.
      { label: 'Evidence collected', value: dateText(d.collectedAt) },
    ],
    matrix: matrixOf(d),
    sections: diagnosisSections(d, opts.docsBaseUrl),
    buttons: resultButtons(d, opts.recordId, opts.canTestMigration ?? true),
    context: opts.context,
    reportId: opts.recordId,
  };
}
