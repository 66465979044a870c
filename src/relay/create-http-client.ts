import { readFile } from 'node:fs/promises';
import { HttpRelayClient } from './client.js';
import type { Logger } from '../kernel/logger.js';

// The bot's relay client from config: key, timeouts, per-host cap, and the TLS material
// (private CA, mTLS client certificate) read from the files the settings name. It takes the
// relay-client settings by shape (config.relay fits), so the relay never imports the bot's config.
export interface RelayClientSettings {
  url?: string;
  keyId: string;
  keySecret?: string;
  caFile?: string;
  clientCert?: string;
  clientKey?: string;
  timeoutMs: number;
  concurrencyPerHost: number;
}

export async function createHttpRelayClient(config: { relay: RelayClientSettings }, logger?: Logger): Promise<HttpRelayClient> {
  const r = config.relay;
  if (!r.url || !r.keySecret) throw new Error('RELAY_URL and RELAY_KEY_SECRET are required to talk to a relay');
  const [ca, cert, key] = await Promise.all([r.caFile, r.clientCert, r.clientKey].map((f) => (f ? readFile(f) : Promise.resolve(undefined))));
  return new HttpRelayClient({
    url: r.url,
    keyId: r.keyId,
    secret: r.keySecret,
    timeoutMs: r.timeoutMs,
    concurrencyPerHost: r.concurrencyPerHost,
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(logger ? { logger } : {}),
  });
}
