import type { Finding, MoveKind } from '../diagnostics/findings.js';
import { breaksOf } from '../diagnostics/moves.js';
import type { TestMigrationMode } from '../relay/protocol.js';
import type { TestMigrationDocument } from './plan-document.js';

// Which move a test migration makes (issue 19), so that it exercises the path the findings say is
// failing. A live migration started off-box (Move-VM -ComputerName <source> from the relay host)
// is the path that needs the source's constrained delegation: shared-nothing / KCD findings
// (those that break off-box moves) are tested that way, whatever the VM. A cluster move
// (Move-ClusterVirtualMachineRole) needs no KCD of the nodes: it is chosen only for a failure that
// breaks cluster moves and not off-box ones, of a clustered VM. With no such finding a clustered
// VM is moved by its cluster and any other VM off-box. docs/domain.md "Which moves a finding breaks".

export const MODE_TEXT: Readonly<Record<TestMigrationMode, string>> = {
  'remote-initiated': 'off-box live migration (Move-VM -ComputerName <source>, started on the relay host)',
  cluster: 'cluster move (Move-ClusterVirtualMachineRole)',
};

export interface ModeChoice {
  mode: TestMigrationMode;
  /** True when a blocking finding on this direction breaks exactly this kind of move. */
  exercisesFindings: boolean;
  /** The codes of those findings (empty when none does). */
  because: string[];
}

/** Findings that concern the move source → destination: the source's, the destination's, or cluster-wide. */
function concerns(f: Finding, source: string, destination: string): boolean {
  const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();
  if (f.node === undefined) return true;
  if (same(f.node, source)) return f.peer === undefined || same(f.peer, destination);
  return same(f.node, destination) && f.peer === undefined;
}

export function chooseTestMode(findings: readonly Finding[], move: { source: string; destination: string; clustered: boolean }): ModeChoice {
  // Only failures count: a warning (a clock 60-300 s off, say) breaks no move.
  const on = findings.filter((f) => f.severity === 'error' && concerns(f, move.source, move.destination));
  const breaking = (kind: MoveKind) => [...new Set(on.filter((f) => (f.breaks ?? breaksOf(f)).includes(kind)).map((f) => f.code))];
  const offBox = breaking('off-box');
  if (offBox.length > 0) return { mode: 'remote-initiated', exercisesFindings: true, because: offBox };
  const cluster = move.clustered ? breaking('cluster') : [];
  if (cluster.length > 0) return { mode: 'cluster', exercisesFindings: true, because: cluster };
  return { mode: move.clustered ? 'cluster' : 'remote-initiated', exercisesFindings: false, because: [] };
}

/** Which move was made: what the relay says it did; an older relay that ignores `mode` moved on the source. */
export function moveText(doc: TestMigrationDocument, done: TestMigrationDocument['mode']): string {
  if (done) return `${MODE_TEXT[done]}${doc.because?.length ? `, for ${doc.because.join(', ')}` : ''}`;
  return doc.mode ? `started on ${doc.source} (this relay does not offer the ${doc.mode} move)` : `started on ${doc.source}`;
}
