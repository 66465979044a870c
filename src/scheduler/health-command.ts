import type { CheckRequest } from '../core/check-flow.js';
import type { Logger } from '../core/logger.js';
import type { ClusterPresenter } from '../core/registry.js';
import type { CheckRunStore } from '../store/store.js';
import { diffRuns } from './health-diff.js';
import { changeSummary, healthReply } from './health-reply.js';
import { previousRun, type PreviousRun } from './previous-run.js';

// `/cluster-health <cluster>` on demand, and Re-run on a cluster's result (the core's command and
// button): the same check flow as a migration check (progress in a parent message, the result in
// its thread), presented as cluster health with what changed since the cluster's previous run,
// whoever or whatever ran it. The scheduler registers this presenter with the core.

function presenter(cluster: string, previous: PreviousRun | null): NonNullable<CheckRequest['present']> {
  return (diagnosis, recordId, context) => {
    const diff = diffRuns(previous?.snapshot ?? null, diagnosis);
    const previousAt = previous ? { previousAt: previous.at } : {};
    return { result: healthReply(diagnosis, diff, { cluster, recordId, context, ...previousAt }), summary: changeSummary(diff, previous?.at) };
  };
}

/** Cluster results (on demand, Re-run) read as cluster health with what changed since the previous run. */
export function clusterPresenter(store: Pick<CheckRunStore, 'latestCheckRun'>, logger: Logger): ClusterPresenter {
  return async (cluster) => presenter(cluster, await previousRun(store, cluster, logger));
}
