import type { Reply, ReplyMatrix } from '../../../../src/core/reply.js';
import type { DirectionStatus } from '../../../../src/diagnostics/findings.js';

// Replies of every shape the core produces, for golden files and size tests.

export function fullMatrix(nodes: string[], status: (from: string, to: string) => DirectionStatus | undefined): ReplyMatrix {
  const cells: ReplyMatrix['cells'] = {};
  for (const a of nodes) {
    cells[a] = {};
    for (const b of nodes) {
      const s = a === b ? undefined : status(a, b);
      if (s) cells[a]![b] = s;
    }
  }
  return { nodes, cells };
}

export const nodesNamed = (n: number) => Array.from({ length: n }, (_, i) => `HV${String(i + 1).padStart(2, '0')}`);

const context = ['Run by Ada Admin at 2026-11-25 21:00 UTC · relay: lab (default.yaml)'];

export const REPLIES: Record<string, Reply> = {
  'healthy-two-nodes': {
    header: 'Live migration check · HV01, HV02',
    verdict: { status: 'healthy', text: 'Healthy: live migration is permitted in every direction checked. (2 of 2 directions ok, 0 blocked, 0 unknown.)' },
    facts: [
      { label: 'Nodes', value: 'HV01, HV02' },
      { label: 'Evidence collected', value: '2026-11-25T21:00:00.000Z' },
    ],
    matrix: fullMatrix(['HV01', 'HV02'], () => 'ok'),
    sections: [{ title: 'Information (1)', severity: 'info', lines: ['RBCD_PRESENT · HV01 → HV02: HV02 grants HV01 resource-based delegation.'] }],
    buttons: [
      { action: 'rerun', label: 'Re-run', recordId: 'chk_01' },
      { action: 'show-evidence', label: 'Show evidence', recordId: 'chk_01' },
    ],
    context,
  },
  'blocked-fixable': {
    header: 'Live migration check · HV01, HV02, HV03',
    verdict: { status: 'blocked', text: 'Blocked: 4 of 6 directions ok, 2 blocked, 0 unknown. Root causes: DELEGATION_MISSING_MIGRATION_SERVICE. The bot can propose a fix for DELEGATION_MISSING_MIGRATION_SERVICE.' },
    facts: [
      { label: 'Nodes', value: 'HV01, HV02, HV03' },
      { label: 'Evidence collected', value: '2026-11-25T21:00:00.000Z' },
    ],
    matrix: fullMatrix(['HV01', 'HV02', 'HV03'], (a, b) => (a === 'HV01' && b !== 'HV01' ? 'blocked' : 'ok')),
    sections: [
      {
        title: 'Errors (2)',
        severity: 'error',
        lines: [
          'DELEGATION_MISSING_MIGRATION_SERVICE · HV01 → HV02: HV01 may not delegate to Microsoft Virtual System Migration Service/HV02 (short and FQDN missing).',
          '    evidence: missing=["Microsoft Virtual System Migration Service/HV02","Microsoft Virtual System Migration Service/hv02.contoso.com"]',
          'DELEGATION_MISSING_MIGRATION_SERVICE · HV01 → HV03: HV01 may not delegate to Microsoft Virtual System Migration Service/HV03 (FQDN missing).',
          '    evidence: missing=["Microsoft Virtual System Migration Service/hv03.contoso.com"]',
        ],
      },
      { title: 'Warnings (1)', severity: 'warning', lines: ['DELEGATION_MISSING_CIFS · HV01 → HV03: storage moves to HV03 will fail (cifs/HV03 missing).'] },
    ],
    buttons: [
      { action: 'propose-fix', label: 'Propose fix', recordId: 'chk_02', style: 'primary' },
      { action: 'rerun', label: 'Re-run', recordId: 'chk_02' },
      { action: 'show-evidence', label: 'Show evidence', recordId: 'chk_02' },
      { action: 'test-migration', label: 'Test migration', recordId: 'chk_02', choices: [{ label: 'vm-sql01 (on HV02)', value: 'vm-sql01' }, { label: 'vm-web02 (on HV03)', value: 'vm-web02' }] },
    ],
    context,
  },
  'unknown-node-unreachable': {
    header: 'Live migration check · HV01, HV02',
    verdict: { status: 'unknown', text: 'Unknown: some directions could not be judged because evidence is missing. (0 of 2 directions ok, 0 blocked, 2 unknown.)' },
    matrix: fullMatrix(['HV01', 'HV02'], () => 'unknown'),
    sections: [{ title: 'Errors (1)', severity: 'error', lines: ['NODE_UNREACHABLE · HV02: the relay could not reach HV02 (WinRM timeout after 30 s).'] }],
    buttons: [{ action: 'rerun', label: 'Re-run', recordId: 'chk_03' }],
    context,
  },
  'approval-pending': {
    header: 'Fix plan · HV01, HV02 (needs a second person)',
    verdict: { status: 'pending', text: 'Proposed by Ada Admin. Waiting for an approver (not Ada).' },
    facts: [
      { label: 'Changes', value: '4 values on HV01, 4 on HV02; set TRUSTED_TO_AUTH_FOR_DELEGATION on both' },
      { label: 'Expires', value: '2026-11-25 22:00 UTC' },
    ],
    sections: [{ title: 'Plan', lines: ['HV01 msDS-AllowedToDelegateTo += Microsoft Virtual System Migration Service/HV02', 'HV01 msDS-AllowedToDelegateTo += cifs/HV02'] }],
    buttons: [
      { action: 'approve', label: 'Approve', recordId: 'plan_07', style: 'primary' },
      { action: 'reject', label: 'Reject', recordId: 'plan_07', style: 'danger' },
      { action: 'refresh-plan', label: 'Refresh plan', recordId: 'plan_07' },
    ],
    context: ['Plan hash 9f2c…e1 · two-person rule'],
  },
  'help-text': {
    header: 'triage-bot',
    verdict: { status: 'info', text: 'Commands: migration-check <node> <node> [more] · cluster-health [cluster] · help' },
  },
  'user-error': {
    header: 'Cannot do that',
    verdict: { status: 'error', text: '"HV01;rm" is not a valid host name: use letters, digits and hyphens (at most 15 for a NetBIOS name).' },
    ephemeral: true,
  },
  'degraded-with-attachment': {
    header: 'Evidence · chk_02',
    verdict: { status: 'degraded', text: 'Degraded: every direction is permitted, but there are problems to look at.' },
    attachments: [{ filename: 'evidence-chk_02.json', mimeType: 'application/json', content: JSON.stringify({ HV01: { userAccountControl: 16781312, spns: ['HOST/HV01'] } }, null, 2) }],
  },
  'cluster-health-20-nodes': {
    header: 'Cluster health · CLU01 (20 nodes)',
    verdict: { status: 'blocked', text: 'Blocked: 361 of 380 directions ok, 19 blocked, 0 unknown. Root causes: SPN_MISSING.' },
    matrix: fullMatrix(nodesNamed(20), (_a, b) => (b === 'HV07' ? 'blocked' : 'ok')),
    sections: [{ title: 'Errors (1)', severity: 'error', lines: ['SPN_MISSING · HV07: no Microsoft Virtual System Migration Service SPN registered for HV07.'] }],
    buttons: [{ action: 'rerun', label: 'Re-run', recordId: 'chk_20' }],
    context,
  },
};
