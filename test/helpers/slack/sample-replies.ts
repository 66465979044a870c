import type { DirectionStatus } from '../../../src/diagnostics/findings.js';
import type { Reply, ReplyMatrix } from '../../../src/core/reply.js';
import { textReply } from '../../../src/core/reply.js';

// Replies the Slack renderer is tested (and golden-filed) on. They look like what the core
// produces, but are written out by hand so these tests do not depend on the core's wording.

export function clusterMatrix(size: number, status: (from: number, to: number) => DirectionStatus): ReplyMatrix {
  const nodes = Array.from({ length: size }, (_, i) => `HV${String(i + 1).padStart(2, '0')}`);
  const cells: ReplyMatrix['cells'] = {};
  nodes.forEach((from, f) => {
    cells[from] = {};
    nodes.forEach((to, t) => {
      if (f !== t) cells[from]![to] = status(f, t);
    });
  });
  return { nodes, cells };
}

const context = ['Run by U0ALICE · 2026-03-02 09:15 UTC · relay lab (lab/default.yaml)'];

export const blockedThreeNodes: Reply = {
  header: 'Live migration check · HV01, HV02, HV03',
  verdict: { status: 'blocked', text: 'Blocked: 4 of 6 directions ok, 2 blocked, 0 unknown. Root causes: DELEGATION_MISSING_MIGRATION_SERVICE.' },
  facts: [
    { label: 'Nodes', value: 'HV01, HV02, HV03' },
    { label: 'Evidence collected', value: '2026-03-02T09:15:00Z' },
  ],
  matrix: clusterMatrix(3, (f, t) => (f === 0 && t > 0 ? 'blocked' : 'ok')),
  sections: [
    {
      title: 'Errors (2)',
      severity: 'error',
      lines: [
        'DELEGATION_MISSING_MIGRATION_SERVICE · HV01 → HV02: HV01 may not delegate to Microsoft Virtual System Migration Service/HV02 (short and FQDN missing).',
        'DELEGATION_MISSING_MIGRATION_SERVICE · HV01 → HV03: HV01 may not delegate to Microsoft Virtual System Migration Service/HV03 (short and FQDN missing).',
      ],
    },
    { title: 'Warnings (1)', severity: 'warning', lines: ['DELEGATION_MISSING_CIFS · HV01 → HV02: HV01 lacks cifs/HV02 and cifs/hv02.contoso.com.'] },
  ],
  buttons: [
    { action: 'propose-fix', label: 'Propose fix', recordId: 'chk_01HV3K9Z', style: 'primary' },
    { action: 'rerun', label: 'Re-run', recordId: 'chk_01HV3K9Z' },
    { action: 'show-evidence', label: 'Show evidence', recordId: 'chk_01HV3K9Z' },
    {
      action: 'test-migration',
      label: 'Test migration',
      recordId: 'chk_01HV3K9Z',
      choices: [
        { label: 'VM-SQL01 (HV01 → HV02)', value: 'vm-sql01' },
        { label: 'VM-WEB02 (HV02 → HV03)', value: 'vm-web02' },
      ],
    },
  ],
  context,
};

export const healthyTwoNodes: Reply = {
  header: 'Live migration check · HV01, HV02',
  verdict: { status: 'healthy', text: 'Healthy: live migration is permitted in every direction checked. (2 of 2 directions ok, 0 blocked, 0 unknown.)' },
  facts: [{ label: 'Nodes', value: 'HV01, HV02' }],
  matrix: clusterMatrix(2, () => 'ok'),
  buttons: [{ action: 'rerun', label: 'Re-run', recordId: 'chk_healthy' }],
  context,
};

export const progress: Reply = {
  header: 'Live migration check · HV01, HV02, HV03',
  verdict: { status: 'pending', text: 'Collecting evidence: 1 of 3 nodes done.' },
  facts: [
    { label: 'HV01', value: 'done' },
    { label: 'HV02', value: 'pending' },
    { label: 'HV03', value: 'unreachable' },
  ],
  context,
};

export const badInput: Reply = textReply('migration-check needs at least two nodes. Example: /migration-check HV01 HV02', { ephemeral: true, status: 'error' });

export const unknownDirections: Reply = {
  header: 'Live migration check · HV01, HV02',
  verdict: { status: 'unknown', text: 'Unknown: some directions could not be judged because evidence is missing.' },
  matrix: { nodes: ['HV01', 'HV02'], cells: { HV01: { HV02: 'unknown' } } },
  sections: [{ title: 'Errors (1)', severity: 'error', lines: ['NODE_UNREACHABLE · HV02: the relay could not reach HV02 (WinRM timeout) <!channel> & <https://evil.example|click>'] }],
  context,
};

/** A 64-node cluster: every direction out of HV07 and into HV33 blocked, HV50's unknown. */
export const cluster64: Reply = {
  header: 'Cluster health · CLU-PROD (64 nodes)',
  verdict: { status: 'blocked', text: 'Blocked: 3845 of 4032 directions ok, 125 blocked, 62 unknown.' },
  facts: [{ label: 'Cluster', value: 'CLU-PROD' }],
  matrix: clusterMatrix(64, (f, t) => (f === 6 || t === 32 ? 'blocked' : f === 49 ? 'unknown' : 'ok')),
  sections: [{ title: 'Errors (2)', severity: 'error', lines: ['DELEGATION_NONE · HV07: no delegation at all.', 'SPN_MISSING · HV33: no migration SPN.'] }],
  buttons: [
    { action: 'propose-fix', label: 'Propose fix', recordId: 'chk_clu64', style: 'primary' },
    { action: 'rerun', label: 'Re-run', recordId: 'chk_clu64' },
  ],
  context,
};

/** So many findings that no single message can hold them. */
export const hugeFindings: Reply = {
  header: 'Cluster health · CLU-LAB',
  verdict: { status: 'degraded', text: 'Degraded: every direction is permitted, but there are problems to look at.' },
  sections: [
    {
      title: 'Warnings (2000)',
      severity: 'warning',
      lines: Array.from({ length: 2000 }, (_, i) => `DELEGATION_MISSING_CIFS · HV${i % 16} → HV${(i + 1) % 16}: storage moves will fail for this pair (line ${i + 1}).`),
    },
  ],
  buttons: [{ action: 'rerun', label: 'Re-run', recordId: 'chk_huge' }],
  context,
};

export const SAMPLE_REPLIES: Record<string, Reply> = {
  'blocked-three-nodes': blockedThreeNodes,
  'healthy-two-nodes': healthyTwoNodes,
  progress,
  'bad-input': badInput,
  'unknown-directions': unknownDirections,
  'cluster-64': cluster64,
  'huge-findings': hugeFindings,
};
