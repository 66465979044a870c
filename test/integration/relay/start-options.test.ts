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

  it('with a TLS certificate that is not PEM, naming the settings', async () => {
    await expect(startSpyRelay({ tls: { cert: 'not a certificate', key: 'not a key' }, writesEnabled: true, approvalKey: APPROVAL_KEY })).rejects.toThrow(
      /the TLS certificate or key cannot be used \(RELAY_TLS_CERT, RELAY_TLS_KEY\)/,
    );
  });
});
