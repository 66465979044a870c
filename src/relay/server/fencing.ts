// Fencing for plan writes (issue 16). The bot's replica that applies a plan holds a lease whose
// token grows with every take; each write's approval token carries it (`fence`). The relay
// remembers the highest token seen per plan and refuses a write with a lower one: a replica that
// was frozen past its lease (or a network that delivered an old request late) cannot write after
// the replica that took over. Kept in memory, bounded: after a relay restart the first write of
// a plan sets the mark again (the store's lease still fences the bot side).

export class FenceRegister {
  private readonly highest = new Map<string, number>();

  constructor(private readonly capacity = 100_000) {}

  /** True when `fence` is at least the highest seen for this plan (and remembers it). */
  admit(planId: string, fence: number | undefined): boolean {
    if (fence === undefined) return true;
    const seen = this.highest.get(planId);
    if (seen !== undefined && fence < seen) return false;
    // Re-inserting keeps the map in least-recently-written order, so the oldest plans go first.
    this.highest.delete(planId);
    this.highest.set(planId, Math.max(fence, seen ?? 0));
    if (this.highest.size > this.capacity) this.highest.delete(this.highest.keys().next().value!);
    return true;
  }

  highestFor(planId: string): number | undefined {
    return this.highest.get(planId);
  }
}
