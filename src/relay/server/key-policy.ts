import type { Clock } from '../../kernel/clock.js';
import { NonceCache } from '../nonce-cache.js';
import { KeyedBuckets } from './rate-limit.js';

// What each key may do and how much of the relay it may use (docs/relay-protocol.md §2):
// - scope: `read` keys call reads only (a write is 403 before its token is looked at); `write`
//   keys call reads and writes. Keys without a scope are `write`, as before scopes existed.
// - its own nonce cache (RELAY_NONCES_PER_KEY), so one key filling its cache cannot make another
//   key's requests fail with replay_cache_full;
// - its own request rate (RELAY_KEY_RATE_PER_SECOND, burst RELAY_KEY_BURST), checked once the
//   signature is proven;
// - unauthenticated requests: each remote address has a budget of failed authentications
//   (RELAY_UNAUTH_PER_MINUTE); past it its failures are answered 429 instead of 401 and are not
//   logged beyond the sampled lines. Signed requests from the same address are still served, so
//   a flood from the bot's own network cannot lock the bot out.

export type KeyScope = 'read' | 'write';
export const KEY_SCOPES: readonly KeyScope[] = ['read', 'write'];

export interface KeyPolicyOptions {
  scopes?: ReadonlyMap<string, KeyScope>;
  noncesPerKey: number;
  ratePerSecond: number;
  burst: number;
  unauthPerMinute: number;
}

export const DEFAULT_KEY_POLICY: KeyPolicyOptions = { noncesPerKey: 100_000, ratePerSecond: 200, burst: 1000, unauthPerMinute: 120 };

/**
 * For a relay whose only caller is the process that started it on loopback (the bot's lab relay,
 * the benchmarks): its one key is never throttled below what the machine can do.
 */
export const LOOPBACK_OWN_KEY_QUOTAS: Omit<KeyPolicyOptions, 'scopes'> = { noncesPerKey: 10_000_000, ratePerSecond: 20_000, burst: 100_000, unauthPerMinute: 120 };

export class KeyPolicy {
  private readonly nonces = new Map<string, NonceCache>();
  private readonly rates: KeyedBuckets;
  private readonly unauth: KeyedBuckets;

  constructor(
    private readonly options: KeyPolicyOptions,
    private readonly clock: Clock,
  ) {
    this.rates = new KeyedBuckets(options.ratePerSecond, options.burst);
    this.unauth = new KeyedBuckets(options.unauthPerMinute / 60, options.unauthPerMinute);
  }

  scopeOf(keyId: string): KeyScope {
    return this.options.scopes?.get(keyId) ?? 'write';
  }

  /** The nonce cache of one key (created on first use: only keys that signed correctly get one). */
  noncesOf = (keyId: string): NonceCache => {
    let cache = this.nonces.get(keyId);
    if (!cache) this.nonces.set(keyId, (cache = new NonceCache(this.options.noncesPerKey)));
    return cache;
  };

  admit = (keyId: string): boolean => this.rates.take(keyId, this.clock.now().getTime());

  /** Counts one failed authentication against `remote`; false once its budget is used up. */
  failedAuthentication(remote: string): boolean {
    return this.unauth.take(remote, this.clock.now().getTime());
  }

  unauthenticatedWaitSeconds(remote: string): number {
    return Math.max(1, this.unauth.waitSeconds(remote, this.clock.now().getTime()));
  }
}
