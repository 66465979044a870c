import type { BotCore } from '../core/bot-core.js';
import type { ChatAdapter, CoreHandler, InboundEvent } from '../core/events.js';
import type { Reply } from '../core/reply.js';
import { boundedLabel, type BotMetrics } from './metrics.js';

// Counts every event the core handles without touching the core: commands and actions by name
// and outcome, the time to acknowledge per platform, and how long a whole check took (the check
// handlers await the full check, so handle() time is the check's time).

const CHECK_COMMANDS = new Set(['migration-check', 'cluster-health']);
const CHECK_ACTIONS = new Set(['rerun']);

export function meteredCore(core: BotCore, metrics: BotMetrics): CoreHandler {
  const actionNames = new Set<string>();
  return {
    async handle(event: InboundEvent, adapter: ChatAdapter): Promise<void> {
      const started = performance.now();
      let errorReply = false;
      let acked = false;
      const ack = event.ack.bind(event);
      // A view of the event with ack observed; everything else read through to the original.
      const observed: InboundEvent = Object.assign(Object.create(event) as InboundEvent, {
        ack: async (reply?: Reply) => {
          if (!acked) {
            acked = true;
            metrics.ack.observe({ platform: adapter.platform }, (performance.now() - started) / 1000);
          }
          if (reply?.verdict?.status === 'error') errorReply = true;
          return ack(reply);
        },
      });
      const isAction = event.kind === 'action';
      const name = isAction ? boundedLabel(actionNames, event.action?.name ?? '') : core.commandName(event.text);
      let threw = false;
      try {
        await core.handle(observed, adapter);
      } catch (err) {
        threw = true;
        throw err;
      } finally {
        const outcome = threw || errorReply ? 'error' : 'ok';
        (isAction ? metrics.actions : metrics.commands).inc({ name, outcome });
        if (!errorReply && !threw && (isAction ? CHECK_ACTIONS.has(name) : CHECK_COMMANDS.has(name))) {
          metrics.checkDuration.observe({ command: name }, (performance.now() - started) / 1000);
        }
      }
    },
  };
}
