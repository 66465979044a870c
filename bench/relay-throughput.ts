import { generateClusterScenario } from '../src/lab/generate.js';
import { log, round, startLabHttpRelay } from './support.js';

// Relay throughput: signed read requests per second over loopback against the lab backend (no
// injected latency), from several HttpRelayClients at once, each keeping a few requests in
// flight, for a fixed time. Client and relay share one process, as in the bot's lab mode, so
// the figure is whole round trips: validate, sign, send, verify, audit, answer, validate.

export interface ThroughputFigures {
  requestsPerSecond: number;
  requests: number;
  errors: number;
  durationMs: number;
  clients: number;
  inFlightPerClient: number;
}

export async function measureThroughput(durationMs: number, clients = 4, inFlightPerClient = 8): Promise<ThroughputFigures> {
  const scenario = generateClusterScenario({ nodes: 16 });
  const names = scenario.clusters[0]!.nodes;
  const lab = await startLabHttpRelay(scenario, { hostMs: 0, directoryMs: 0 });
  try {
    const relayClients = [lab.client, ...Array.from({ length: clients - 1 }, () => lab.newClient())];
    let requests = 0;
    let errors = 0;
    let stopAt = 0;
    const loop = async (client: (typeof relayClients)[number], offset: number) => {
      for (let i = offset; performance.now() < stopAt; i++) {
        try {
          await client.call('host.migration-settings', { node: names[i % names.length]! });
          requests += 1;
        } catch {
          errors += 1;
        }
      }
    };
    const all = (ms: number) => {
      stopAt = performance.now() + ms;
      return Promise.all(relayClients.flatMap((c, ci) => Array.from({ length: inFlightPerClient }, (_, k) => loop(c, ci * inFlightPerClient + k))));
    };
    await all(Math.min(500, durationMs / 4)); // warm-up: JIT and keep-alive sockets
    requests = 0;
    errors = 0;
    const started = performance.now();
    await all(durationMs);
    const elapsed = performance.now() - started;
    const figures = { requestsPerSecond: round(requests / (elapsed / 1000), 0), requests, errors, durationMs: round(elapsed, 0), clients, inFlightPerClient };
    log(`relay throughput: ${figures.requestsPerSecond} signed requests/s (${requests} in ${figures.durationMs} ms, ${errors} errors)`);
    return figures;
  } finally {
    await lab.close();
  }
}
