import type { Clock } from '../kernel/clock.js';
import type { Logger } from '../core/logger.js';
import type { BotMetrics } from '../ops/metrics.js';
import { applyRetention } from '../store/retention.js';
import type { Store } from '../store/store.js';

// CHECK_RETENTION_DAYS takes effect here: retention runs once shortly after start and then every
// day, on an unref'd timer the bot clears on shutdown. Every replica runs it; the deletes are
// idempotent (a second replica finds nothing left to prune), so no leader is needed.

export const RETENTION_INTERVAL_MS = 24 * 60 * 60 * 1000;

export interface RetentionTimer {
  /** One pass now (also what the timer runs); resolves when it is done. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

export function startRetentionTimer(options: { store: Store; days: number; clock: Clock; logger: Logger; metrics?: BotMetrics; firstRunMs?: number; intervalMs?: number }): RetentionTimer {
  const { store, days, clock, logger, metrics } = options;
  let current: Promise<void> | undefined;
  let stopped = false;
  const runOnce = (): Promise<void> => {
    current ??= (async () => {
      try {
        const pruned = await applyRetention(store, days, clock.now());
        for (const [kind, n] of Object.entries(pruned)) metrics?.retentionPruned.inc({ kind }, n);
        logger.info('retention applied', { checkRetentionDays: days, ...pruned });
      } catch (err) {
        logger.error('retention failed; it runs again at the next interval', { error: err instanceof Error ? err.message : String(err) });
      } finally {
        current = undefined;
      }
    })();
    return current;
  };
  const first = setTimeout(() => void runOnce(), options.firstRunMs ?? 60_000);
  const every = setInterval(() => void runOnce(), options.intervalMs ?? RETENTION_INTERVAL_MS);
  first.unref();
  every.unref();
  return {
    runOnce: () => (stopped ? Promise.resolve() : runOnce()),
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(every);
      await current;
    },
  };
}
