import { describe, expect, it } from 'vitest';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { parseScenario } from '../../../src/lab/load.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';

// The injected latency is what benchmarks measure against. Only its behaviour is tested here;
// its timing is a bench figure.

const TEXT = `name: latency
domain: { fqdn: lab.test, netbios: LAB, now: "2026-11-20T09:00:00Z" }
clusters: [ { name: C1, nodes: [HV01] } ]
computers: [ { name: HV01 } ]
hosts: [ { name: HV01 } ]
latency: { hostMs: 120, directoryMs: 60 }
`;

describe('LabBackend latency', () => {
  // How long each class waits, and that parallel calls overlap, are timed by `npm run bench`
  // (bench/lab-latency.ts, targets "lab waits its latency" and "lab overlaps parallel calls").
  it('stops waiting when the call is aborted', async () => {
    // A 50 s host delay: only the abort can end this call within the test's time limit.
    const backend = new LabBackend(parseScenario(TEXT.replace('hostMs: 120', 'hostMs: 50000'), 'latency.yaml'));
    const relay = new InProcessRelayClient(backend, 'lab');
    const controller = new AbortController();
    const call = relay.call('host.security', { node: 'HV01' }, { signal: controller.signal });
    // Let the call reach its wait first, so the abort ends a wait rather than preventing one.
    await new Promise((r) => setImmediate(r));
    controller.abort();
    await expect(call).rejects.toThrow(/abort/i);
  });
});
