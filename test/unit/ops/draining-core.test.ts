import { describe, expect, it } from 'vitest';
import { drainingCore } from '../../../src/ops/draining-core.js';
import type { ChatAdapter, CoreHandler, InboundEvent } from '../../../src/core/events.js';
import type { Reply } from '../../../src/core/reply.js';

// Shutdown: an event in flight finishes; one arriving after drain() starts is told to try again
// and never reaches the core; a handler that outlives the deadline does not hold the exit.

function event(acks: Array<Reply | undefined>): InboundEvent {
  return { kind: 'command', text: 'help', actor: { platform: 'web', id: 'u' }, conversation: { platform: 'web', channelId: 'c' }, ack: async (r) => void acks.push(r) };
}
const adapter = { platform: 'web' } as ChatAdapter;

describe('drainingCore', () => {
  it('finishes in-flight events and refuses new ones', async () => {
    let release!: () => void;
    const handled: string[] = [];
    const inner: CoreHandler = { handle: async (e) => { await new Promise<void>((r) => (release = r)); handled.push(e.text); } };
    const core = drainingCore(inner);
    const first = core.handle(event([]), adapter);
    expect(core.inFlight).toBe(1);
    const drained = core.drain(5_000);
    const acks: Array<Reply | undefined> = [];
    await core.handle({ ...event(acks), text: 'second' }, adapter);
    expect(acks[0]?.verdict?.text).toMatch(/restarting; nothing was done/);
    release();
    await first;
    expect(await drained).toBe(true);
    expect(handled).toEqual(['help']);
  });

  it('gives up at the deadline and says so', async () => {
    const core = drainingCore({ handle: () => new Promise(() => undefined) });
    void core.handle(event([]), adapter);
    const started = performance.now();
    expect(await core.drain(50)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(core.inFlight).toBe(1);
  });
});
