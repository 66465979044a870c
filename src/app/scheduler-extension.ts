import type { CoreExtension } from '../core/registry.js';
import { createSchedulerModule } from '../scheduler/index.js';
import { StoreBackedCoreStore } from '../store/core-store-adapter.js';
import type { BotPieces } from './start-bot.js';

// Scheduled cluster health in the running bot: policy-file schedules synced into the store, the
// commands, and the timer loop (started once the adapters can post, stopped before they go).
export async function schedulerExtension(pieces: BotPieces): Promise<CoreExtension> {
  const { store, relay, clock, evidenceClock, logger, adapters, config, policy } = pieces;
  const module = await createSchedulerModule({
    store,
    coreStore: new StoreBackedCoreStore(store),
    relay,
    clock,
    evidenceClock,
    logger,
    adapters,
    eventWindowHours: config.eventWindowHours,
    policySchedules: policy.schedules,
  });
  pieces.hooks.afterStart.push(() => module.scheduler.start());
  pieces.hooks.beforeStop.push(() => module.scheduler.stop());
  return module.extension;
}
