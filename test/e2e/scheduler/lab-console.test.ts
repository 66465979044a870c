import { afterEach, expect, it } from 'vitest';
import { botExtensions } from '../../../src/app/extensions.js';
import { startBot, type RunningBot } from '../../../src/app/start-bot.js';
import { loadConfig } from '../../../src/config/load.js';
import { createLogger, silentLogger } from '../../../src/core/logger.js';
import { Scheduler } from '../../../src/scheduler/index.js';
import { StoreBackedCoreStore } from '../../../src/store/core-store-adapter.js';
import { withPlainMentions } from '../../../src/core/mention.js';

// `npm start` as shipped: the lab policy file schedules HVCLUSTER01 at 08:00 Europe/Paris in the
// console's #incident channel. The bot's clock is set 1.5 s before 08:00 Paris; the real timer
// loop sleeps until the slot and the post appears in the lab console, once.

let bot: RunningBot | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});

it('the policy-file schedule posts cluster health in the lab console at its slot', async () => {
  const slot = new Date('2027-04-01T06:00:00Z'); // 08:00 CEST
  const offset = slot.getTime() - 1500 - Date.now();
  bot = await startBot({
    config: loadConfig({ DATABASE_URL: 'sqlite::memory:' }),
    logger: process.env.DEBUG_SCHED ? createLogger('debug') : silentLogger,
    webPort: 0,
    clock: { now: () => new Date(Date.now() + offset) },
    extensions: botExtensions,
  });
  const web = bot.web!;
  const healthPosts = () => web.state.list('olivia').filter((m) => m.channelId === 'incident' && m.reply.header === 'Cluster health · HVCLUSTER01');
  expect(healthPosts()).toEqual([]);
  // Wait for the console's own change event that carries the post (bounded: 7.5 s past start).
  await new Promise<void>((resolve, reject) => {
    const give = setTimeout(() => done(new Error('no cluster health post in the console within 7.5 s')), 7_500);
    const onChange = () => healthPosts().length > 0 && done();
    const done = (err?: Error) => {
      clearTimeout(give);
      web.state.bus.off('change', onChange);
      if (err) reject(err);
      else resolve();
    };
    web.state.bus.on('change', onChange);
  });
  const [post] = healthPosts();
  expect(post?.reply.verdict?.text).toMatch(/First run of this cluster: nothing to compare with yet\.$/);
  // The slot is a date element: as the console (no local-time syntax) shows it.
  expect(withPlainMentions(post!.reply).context?.[0]).toMatch(/^Scheduled pol_[0-9a-f]{12} · "0 8 \* \* \*" Europe\/Paris · slot 2027-04-01 06:00 UTC$/);
  expect(post?.html).toContain('Cluster health');
  // Checkpoint: another look at the store at this instant, as the loop's next wake-up or another
  // replica makes it, finds the slot fired and posts nothing more.
  const secondLook = new Scheduler({ store: bot.store, coreStore: new StoreBackedCoreStore(bot.store), relay: bot.relay, clock: bot.clock, logger: silentLogger, eventWindowHours: 72, adapters: bot.adapters, owner: 'second-look' });
  expect(await secondLook.tick()).toEqual([]);
  expect(healthPosts()).toHaveLength(1);
  const [schedule] = await bot.store.listSchedules();
  expect(schedule?.lastFiredSlot).toBe('2027-04-01T06:00:00.000Z');
});
