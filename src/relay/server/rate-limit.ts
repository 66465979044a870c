// Token buckets for the relay's quotas: `rate` tokens a second up to `burst`. Keyed buckets are
// bounded: past `maxKeys` the least recently used is dropped (it would be full again anyway by
// the time it matters, so dropping one only ever lets a caller in, never locks one out).

export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.at = nowMs;
  }

  private refill(nowMs: number): void {
    if (nowMs > this.at) {
      this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.at) / 1000) * this.rate);
      this.at = nowMs;
    }
  }

  /** Takes one token when there is one. */
  take(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Whether a token is there, without taking it. */
  peek(nowMs: number): boolean {
    this.refill(nowMs);
    return this.tokens >= 1;
  }

  /** Seconds until the next token. */
  waitSeconds(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) / this.rate);
  }
}

export class KeyedBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly maxKeys = 10_000,
  ) {}

  private get(key: string, nowMs: number): TokenBucket {
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key);
    } else {
      b = new TokenBucket(this.rate, this.burst, nowMs);
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.buckets.set(key, b);
    return b;
  }

  take(key: string, nowMs: number): boolean {
    return this.get(key, nowMs).take(nowMs);
  }

  peek(key: string, nowMs: number): boolean {
    return this.buckets.get(key)?.peek(nowMs) ?? true;
  }

  waitSeconds(key: string, nowMs: number): number {
    return this.buckets.get(key)?.waitSeconds(nowMs) ?? 0;
  }
}
