import { describe, expect, it } from 'vitest';
import { APPROVAL_KEY, SECRET, startSpyRelay } from './harness.js';

// Start-up refusals of startRelayServer: each names the setting that fixes it.

describe('startRelayServer refuses configurations that cannot be safe', () => {
  it('without any key', async () => {
    await expect(startSpyRelay({ keys: {} })).rejects.toThrow(/no relay keys configured: set RELAY_KEYS/);
  });

  it('with a key secret shorter than 32 characters', async () => {
    await expect(startSpyRelay({ keys: { bot: 'short' } })).rejects.toThrow(/relay key "bot" is shorter than 32 characters/);
  });

  it('with writes enabled but no approval key', async () => {
    await expect(startSpyRelay({ writesEnabled: true })).rejects.toThrow(/RELAY_WRITES_ENABLED=true needs RELAY_APPROVAL_KEY/);
  });

  it('with the approval key equal to a request-signing key', async () => {
    await expect(startSpyRelay({ writesEnabled: true, approvalKey: SECRET })).rejects.toThrow(/RELAY_APPROVAL_KEY must differ/);
  });

  it('with a nonce share a key within its rate could fill, naming the settings', async () => {
    await expect(startSpyRelay({ skewSeconds: 300, futureSkewSeconds: 30, quotas: { ratePerSecond: 200, burst: 1000, noncesPerKey: 67_199 } })).rejects.toThrow(
      'RELAY_NONCES_PER_KEY (67199) is too small: RELAY_KEY_BURST + RELAY_KEY_RATE_PER_SECOND × (RELAY_SKEW_SECONDS + RELAY_FUTURE_SKEW_SECONDS + 1) = 67200',
    );
    const { relay } = await startSpyRelay({ skewSeconds: 300, futureSkewSeconds: 30, quotas: { ratePerSecond: 200, burst: 1000, noncesPerKey: 67_200 } });
    await relay.close();
  });

  it('with a scope for a key that is not configured', async () => {
    await expect(startSpyRelay({ keyScopes: { monitr: 'read' } })).rejects.toThrow('a scope is given for key "monitr", which is not in RELAY_KEYS');
  });

  it('with a TLS certificate that is not PEM, naming the settings', async () => {
    await expect(startSpyRelay({ tls: { cert: 'not a certificate', key: 'not a key' }, writesEnabled: true, approvalKey: APPROVAL_KEY })).rejects.toThrow(
      /the TLS certificate or key cannot be used \(RELAY_TLS_CERT, RELAY_TLS_KEY\)/,
    );
  });
});
