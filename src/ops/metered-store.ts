import { PLAN_STATES } from '../store/plan-states.js';
import type { Store } from '../store/store.js';
import type { BotMetrics } from './metrics.js';

// The store as the bot uses it, with two things counted on the way through: every failed call
// (triage_store_errors_total, by method) and every saved check result (its findings by code, its
// verdict, and whether a schedule fired it). A Proxy, so a method added to Store is covered
// without a change here.
export function meteredStore(store: Store, metrics: BotMetrics): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = method.apply(target, args);
        } catch (err) {
          metrics.storeErrors.inc({ operation: prop });
          throw err;
        }
        if (!(result instanceof Promise)) return result;
        return result.then(
          (ok) => {
            if (prop === 'saveCheckRun') countCheck(metrics, args[0] as Parameters<Store['saveCheckRun']>[0]);
            return ok;
          },
          (err: unknown) => {
            metrics.storeErrors.inc({ operation: prop });
            throw err;
          },
        );
      };
    },
  });
}

function countCheck(metrics: BotMetrics, run: Parameters<Store['saveCheckRun']>[0]): void {
  const trigger = run.scheduleId ? 'schedule' : 'chat';
  metrics.checks.inc({ verdict: run.verdict, trigger });
  if (run.scheduleId) metrics.schedulerRuns.inc({ verdict: run.verdict });
  for (const finding of run.diagnosis.findings) metrics.findings.inc({ code: finding.code });
}

const PLAN_COUNT_CAP = 10_000;

/** Plans by state, for the triage_plans gauge (the Store has no count query; each state is capped). */
export async function plansByState(store: Store): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const state of PLAN_STATES) counts.set(state, (await store.listPlans({ states: [state], limit: PLAN_COUNT_CAP })).length);
  return counts;
}
