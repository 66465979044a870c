// Values seen recently (request nonces, approval-token ids), each until its own expiry. Memory is
// bounded: when the cache is full even after dropping expired entries, it refuses new values
// rather than forgetting live ones, because forgetting would let a captured request replay.

export type RememberOutcome = 'new' | 'seen' | 'full';

export class NonceCache {
  private readonly entries = new Map<string, number>();
  private nextSweepAt = 0;

  constructor(
    readonly capacity = 100_000,
    private readonly sweepEveryMs = 10_000,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * Records `value` until `expiresAtMs`. 'seen' when it is already held and not yet expired;
   * 'full' when there is no room for it.
   */
  remember(value: string, expiresAtMs: number, nowMs: number): RememberOutcome {
    if (nowMs >= this.nextSweepAt) this.sweep(nowMs);
    const held = this.entries.get(value);
    if (held !== undefined && held > nowMs) return 'seen';
    if (held === undefined && this.entries.size >= this.capacity) {
      this.sweep(nowMs);
      if (this.entries.size >= this.capacity) return 'full';
    }
    this.entries.set(value, expiresAtMs);
    return 'new';
  }

  has(value: string, nowMs: number): boolean {
    const held = this.entries.get(value);
    return held !== undefined && held > nowMs;
  }

  private sweep(nowMs: number): void {
    for (const [value, expiresAt] of this.entries) if (expiresAt <= nowMs) this.entries.delete(value);
    this.nextSweepAt = nowMs + this.sweepEveryMs;
  }
}
