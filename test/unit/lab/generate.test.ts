import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/kernel/clock.js';
import { runCheck } from '../../../src/diagnostics/run-check.js';
import { generateClusterScenario } from '../../../src/lab/generate.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';
import { CountingRelayClient } from '../../helpers/fakes.js';

// Generated clusters are what the benchmarks check: they must be valid scenarios and healthy.

describe('generateClusterScenario', () => {
  it.each([2, 16, 64])('makes a healthy %i-node cluster the engine agrees is healthy', async (n) => {
    const scenario = generateClusterScenario({ nodes: n });
    const nodes = scenario.clusters[0]!.nodes;
    expect(nodes).toHaveLength(n);
    expect(scenario.computers[0]!.allowedToDelegateTo).toHaveLength(4 * (n - 1));
    const relay = new CountingRelayClient(new InProcessRelayClient(new LabBackend(scenario), 'generated'));
    const { diagnosis } = await runCheck(relay, nodes, { clock: fixedClock(scenario.domain.now), eventWindowHours: 72 });
    expect(diagnosis.verdict.status).toBe('healthy');
    expect(diagnosis.directions).toHaveLength(n * (n - 1));
    expect(relay.count('directory.')).toBeLessThanOrEqual(2);
  });

  it('carries the requested latency and refuses a silly size', () => {
    expect(generateClusterScenario({ nodes: 3, latency: { hostMs: 100, directoryMs: 50 } }).latency).toEqual({ hostMs: 100, directoryMs: 50 });
    expect(() => generateClusterScenario({ nodes: 0 })).toThrow(RangeError);
  });
});
