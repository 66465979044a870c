import { readFile } from 'node:fs/promises';
import type { Config } from '../config/load.js';
import type { ChatAdapter } from '../core/events.js';
import type { Probe } from '../ops/readiness.js';
import { probeRelay, type RelayProbeTarget } from '../ops/relay-probe.js';
import type { Store } from '../store/store.js';
import type { LabRelay } from './lab-relay.js';

// What /readyz asks of this bot: the store answers a query, the relay accepts our signature, and
// every chat adapter has started and not stopped (an adapter that can tell whether its connection
// is up, through an optional connected(), is asked that too).

interface MaybeConnected {
  connected?: () => boolean;
}

export function readinessProbes(options: { store: Store; relay: RelayProbeTarget; adapters: ChatAdapter[]; started: ReadonlySet<ChatAdapter>; timeoutMs: number }): Probe[] {
  const { store, relay, adapters, started, timeoutMs } = options;
  const probes: Probe[] = [
    {
      name: 'store',
      // A real query on the plans table: fails when the database is down or the schema is gone.
      run: async () => {
        await store.getPlan('readyz-probe');
        return { ok: true, detail: 'the store answered' };
      },
    },
    { name: 'relay', run: () => probeRelay(relay, timeoutMs) },
  ];
  for (const adapter of adapters) {
    probes.push({
      name: `chat:${adapter.platform}`,
      run: async () => {
        if (!started.has(adapter)) return { ok: false, detail: `the ${adapter.platform} adapter is not running` };
        const connected = (adapter as ChatAdapter & MaybeConnected).connected;
        if (connected && !connected.call(adapter)) return { ok: false, detail: `the ${adapter.platform} connection is down` };
        return { ok: true, detail: `the ${adapter.platform} adapter is running` };
      },
    });
  }
  return probes;
}

/** The relay the bot talks to, with the same key and TLS material as its client. */
export async function relayProbeTarget(config: Config, lab?: LabRelay): Promise<RelayProbeTarget> {
  if (lab) return { url: lab.relay.url, keyId: lab.keyId, secret: lab.secret };
  const r = config.relay;
  if (!r.url || !r.keySecret) throw new Error('RELAY_URL and RELAY_KEY_SECRET are required to talk to a relay');
  const [ca, cert, key] = await Promise.all([r.caFile, r.clientCert, r.clientKey].map((f) => (f ? readFile(f) : Promise.resolve(undefined))));
  return { url: r.url, keyId: r.keyId, secret: r.keySecret, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}
