import type { ChatAdapter, CoreHandler, InboundEvent } from '../core/events.js';
import { textReply } from '../core/reply.js';

// Graceful shutdown for the core: once draining, a new event is acknowledged with a short "try
// again" (another replica or the restarted bot will take it) instead of starting work that would
// be cut off; events already in flight (a check waiting on the relay) are given until the deadline.

export interface DrainingCore extends CoreHandler {
  /** Events being handled right now. */
  readonly inFlight: number;
  /** Stop taking events; resolves when the in-flight ones finish or `timeoutMs` passes (false then). */
  drain(timeoutMs: number): Promise<boolean>;
}

export function drainingCore(core: CoreHandler): DrainingCore {
  const running = new Set<Promise<void>>();
  let draining = false;
  return {
    get inFlight() {
      return running.size;
    },
    async handle(event: InboundEvent, adapter: ChatAdapter): Promise<void> {
      if (draining) {
        await event.ack(textReply('triage-bot is restarting; nothing was done. Try again in a minute.', { ephemeral: true, status: 'error' }));
        return;
      }
      const p = core.handle(event, adapter);
      running.add(p);
      try {
        await p;
      } finally {
        running.delete(p);
      }
    },
    async drain(timeoutMs: number): Promise<boolean> {
      draining = true;
      if (running.size === 0) return true;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const settled = Promise.allSettled([...running]).then(() => true as const);
      try {
        return await Promise.race([settled, deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
