import { z } from 'zod';
import { FINDING_CODES } from '../diagnostics/findings.js';
import type { Logger } from '../core/logger.js';
import type { CheckRunStore } from '../store/store.js';
import type { RunSnapshot } from './health-diff.js';

// The previous run of a cluster, as the comparison needs it. Stored documents come back as
// saved; only the parts the diff reads are validated, and a document that does not fit (an
// older format) counts as "no previous run" rather than failing the new one.

const code = z.enum(FINDING_CODES);
const status = z.enum(['ok', 'blocked', 'unknown']);
const snapshotSchema = z.object({
  nodes: z.array(z.string()),
  directions: z.array(z.object({ from: z.string(), to: z.string(), status, blockedBy: z.array(code).optional() })),
  findings: z.array(z.object({ code, severity: z.enum(['error', 'warning', 'info']), node: z.string().optional(), peer: z.string().optional() })),
});

export interface PreviousRun {
  snapshot: RunSnapshot;
  /** When the previous run was saved (ISO). */
  at: string;
}

export async function previousRun(store: Pick<CheckRunStore, 'latestCheckRun'>, cluster: string, logger: Logger): Promise<PreviousRun | null> {
  const run = await store.latestCheckRun(cluster);
  if (!run) return null;
  const parsed = snapshotSchema.safeParse(run.diagnosis);
  if (!parsed.success) {
    logger.warn('previous check run not comparable', { cluster, runId: run.id });
    return null;
  }
  return { snapshot: parsed.data as RunSnapshot, at: run.createdAt.toISOString() };
}
