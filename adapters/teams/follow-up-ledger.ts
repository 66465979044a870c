import { createHash } from 'node:crypto';
import type { AdaptiveCard } from './render.js';

// Which follow-up cards (the overflow of a long reply) a thread already shows. The check flow
// posts the result with the full matrix in the thread, then edits the parent with a summary
// whose overflow is the same matrix: editing must not post it a second time. Entries expire, so
// a later re-run in the same chat shows its follow-ups again.

const TTL_MS = 15 * 60_000;
const MAX_THREADS = 1_000;

export class FollowUpLedger {
  private readonly threads = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The follow-ups this thread does not show yet (compared without their "part i of n" title). */
  unseen(thread: string, cards: AdaptiveCard[]): AdaptiveCard[] {
    const seen = this.threads.get(thread);
    const now = this.now();
    return cards.filter((c) => {
      const at = seen?.get(fingerprint(c));
      return at === undefined || now - at > TTL_MS;
    });
  }

  record(thread: string, cards: AdaptiveCard[]): void {
    const seen = this.threads.get(thread) ?? new Map<string, number>();
    for (const c of cards) seen.set(fingerprint(c), this.now());
    this.threads.delete(thread);
    this.threads.set(thread, seen);
    if (this.threads.size > MAX_THREADS) this.threads.delete(this.threads.keys().next().value!);
  }
}

function fingerprint(card: AdaptiveCard): string {
  return createHash('sha256').update(JSON.stringify(card.body.slice(1))).digest('hex');
}
