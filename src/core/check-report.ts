import type { CoreStore } from './core-store.js';
import { dateText } from './mention.js';
import { diagnosisSections, matrixOf, verdictText } from './render-diagnosis.js';
import type { Reply } from './reply.js';

// A stored check run as a read-only report (the page a Teams "Full matrix" button opens): the
// verdict, the whole direction matrix and every finding with its evidence, and no buttons — a
// report is for reading; acting happens in chat, where the caller is known.

/** Check run ids are `cr_` and 16 random characters (src/store/ids.ts); anything else is not one. */
export const CHECK_RUN_ID = /^cr_[a-z0-9]{16}$/;

export async function checkReport(store: Pick<CoreStore, 'getCheckRun'>, id: string, docsBaseUrl?: string): Promise<Reply | undefined> {
  if (!CHECK_RUN_ID.test(id)) return undefined;
  const run = await store.getCheckRun(id);
  if (!run) return undefined;
  const d = run.diagnosis;
  return {
    header: run.cluster ? `Cluster health · ${run.cluster}` : `Live migration check · ${run.nodes.join(', ')}`,
    verdict: { status: d.verdict.status, text: verdictText(d) },
    facts: [
      { label: 'Nodes', value: `${d.nodes.length}: ${d.nodes.join(', ')}` },
      { label: 'Evidence collected', value: dateText(d.collectedAt) },
      { label: 'Check run', value: run.id },
    ],
    matrix: matrixOf(d),
    sections: diagnosisSections(d, docsBaseUrl),
    context: [`Checked ${dateText(run.createdAt)}`],
  };
}
