import { describe, expect, it } from 'vitest';
import { buildReport, formatTable, type Figures } from '../../../bench/report.js';
import { criticalPathMs } from '../../../bench/diagnosis-critical-path.js';

// Scripts read bench/results.json by these names (issue 10): this pins them. It checks the report
// builder on given figures, never a timing.

const diag = (nodes: number, wallMs: number) => ({ nodes, wallMs, criticalPathMs: 100, ratio: wallMs / 100, directoryRoundTrips: 2, samplesMs: [wallMs] });

const figures: Figures = {
  mode: 'quick',
  ack: {
    commands: 500, p50Ms: 40, p99Ms: 90, maxMs: 120, over3s: 0, failed: 0, allChecksDoneMs: 9000, checksDone: 500,
    runs: 1, p99SamplesMs: [90], adapterOnly: { p50Ms: 30, p99Ms: 80, maxMs: 100 }, floor: { p50Ms: 10, p99Ms: 20, maxMs: 25 },
  },
  diagnosis: { latency: { hostMs: 100, directoryMs: 50 }, results: [diag(2, 105), diag(16, 110), diag(64, 130)], relayInOwnProcess: [diag(64, 120)] },
  pooling: { nodes: 16, poolSize: 4, startupMs: 400, commandMs: 20, pooledMs: 500, pooledColdMs: 1400, processPerCallMs: 15000, ratio: 30, processStarts: { pooled: 4, processPerCall: 80 } },
  memory: { checks: 1000, nodes: 2, rssAfterWarmupMb: 120, rssAfterChecksMb: 126, rssGrowthPct: 5, heapUsedAfterWarmupMb: 12, heapUsedAfterChecksMb: 13 },
  relay: { requestsPerSecond: 2000, requests: 6000, errors: 0, durationMs: 3000, clients: 4, inFlightPerClient: 8 },
  durationMs: 60_000,
};
const labLatency = { hostMs: 120, directoryMs: 60, hostWaitMs: 121, clusterWaitMs: 121, directoryWaitMs: 61, parallel: 20, parallelWallMs: 123, parallelRatio: 1.03, overriddenHostWaitMs: 0.2 };
const env = { date: new Date('2026-11-25T23:00:00Z'), node: 'v20.20.2', machine: { cpus: 2, cpuModel: 'test', memoryMb: 4096, platform: 'linux', arch: 'x64', release: '6', loadAverage: [1, 1, 1] } };

describe('bench report', () => {
  it('carries the documented field names', () => {
    const r = JSON.parse(JSON.stringify(buildReport(figures, env)));
    expect(r).toMatchObject({ mode: 'quick', node: 'v20.20.2', date: '2026-11-25T23:00:00.000Z', machine: { cpus: 2, cpuModel: 'test' } });
    expect(r.ack).toMatchObject({ p50Ms: 40, p99Ms: 90, maxMs: 120, over3s: 0 });
    for (const n of ['2', '16', '64']) {
      expect(Object.keys(r.diagnosis.nodes[n]).sort()).toEqual(expect.arrayContaining(['wallMs', 'criticalPathMs', 'ratio', 'directoryRoundTrips']));
    }
    expect(r.diagnosis.nodes['64']).toMatchObject({ wallMs: 130, criticalPathMs: 100, ratio: 1.3, directoryRoundTrips: 2 });
    expect(r.diagnosis.relayInOwnProcess.nodes['64'].ratio).toBe(1.2);
    expect(r.pooling).toMatchObject({ pooledMs: 500, processPerCallMs: 15000, ratio: 30 });
    expect(r.memory.rssGrowthPct).toBe(5);
    expect(r.relay.requestsPerSecond).toBe(2000);
  });

  it('judges each target from the figures', () => {
    const targets = Object.fromEntries(buildReport(figures, env).targets.map((t) => [t.name, t.met]));
    expect(targets).toEqual({ 'ack p99': true, 'ack p99 ÷ bare node:http p99': false, 'acks over 3 s': true, 'diagnosis ratio at 64 nodes': false, 'directory round trips': true, 'memory growth': true });
    const slow = buildReport({ ...figures, ack: { ...figures.ack, p99Ms: 3500, over3s: 7 } }, env).targets;
    expect(slow.filter((t) => !t.met).map((t) => t.name)).toEqual(['ack p99', 'ack p99 ÷ bare node:http p99', 'acks over 3 s', 'diagnosis ratio at 64 nodes']);
    // 90 ms against a 20 ms floor is 4.5×; 40 ms is 2× (met).
    const near = buildReport({ ...figures, ack: { ...figures.ack, p99Ms: 40 } }, env).targets.find((t) => t.name.startsWith('ack p99 ÷'));
    expect(near).toMatchObject({ actual: '2', met: true });
  });

  it('judges the lab path ratio (issue 18) when measured', () => {
    const labPath = { nodes: 64, latency: { hostMs: 100, directoryMs: 50 }, httpWallMs: 260, inProcessWallMs: 200, ratio: 1.3, httpCpuMs: 150, inProcessCpuMs: 100, samples: { httpMs: [260], inProcessMs: [200] } };
    const judged = (p: typeof labPath) => buildReport({ ...figures, labPath: p }, env).targets.find((t) => t.name.startsWith('lab path ratio'));
    expect(judged(labPath)).toMatchObject({ met: true, actual: '1.3 (260 ÷ 200 ms)' });
    expect(judged({ ...labPath, httpWallMs: 400, ratio: 2 })?.met).toBe(false);
    expect(formatTable(buildReport({ ...figures, labPath }, env))).toContain('HTTP 260 ms ÷ same check in process 200 ms = 1.3');
  });

  it('judges the lab latency: delays waited, parallel calls overlapped', () => {
    const judged = (l: typeof labLatency) => Object.fromEntries(buildReport({ ...figures, labLatency: l }, env).targets.filter((t) => t.name.startsWith('lab ')).map((t) => [t.name, t.met]));
    expect(judged(labLatency)).toEqual({ 'lab waits its latency': true, 'lab overlaps parallel calls': true });
    expect(judged({ ...labLatency, directoryWaitMs: 2 })['lab waits its latency']).toBe(false);
    expect(judged({ ...labLatency, overriddenHostWaitMs: 121 })['lab waits its latency']).toBe(false);
    expect(judged({ ...labLatency, parallelWallMs: 2400, parallelRatio: 20 })['lab overlaps parallel calls']).toBe(false);
    expect(formatTable(buildReport({ ...figures, labLatency }, env))).toContain('20 at once 123 ms');
    expect(JSON.parse(JSON.stringify(buildReport({ ...figures, labLatency }, env))).labLatency).toMatchObject({ hostWaitMs: 121, parallelRatio: 1.03 });
  });

  it('judges the CLI start: --help under 0.5 s', () => {
    const cliStart = { runs: 10, bareNodeMs: 60, helpMs: 110, versionMs: 100, labCheckMs: 700 };
    const judged = (c: typeof cliStart) => buildReport({ ...figures, cliStart: c }, env).targets.find((t) => t.name === 'triage --help');
    expect(judged(cliStart)).toMatchObject({ met: true, actual: '110 ms (bare node 60 ms)', target: '< 500 ms' });
    expect(judged({ ...cliStart, helpMs: 1400 })?.met).toBe(false);
    expect(formatTable(buildReport({ ...figures, cliStart }, env))).toContain('--help 110 ms · --version 100 ms · lab check 700 ms · bare node 60 ms (10 runs)');
    expect(JSON.parse(JSON.stringify(buildReport({ ...figures, cliStart }, env))).cliStart).toEqual(cliStart);
  });

  it('prints every figure in the table', () => {
    const table = formatTable(buildReport(figures, env));
    expect(table).toContain('p99 90 ms');
    expect(table).toContain('diagnosis 64 nodes');
    expect(table).toContain('ratio 1.3');
    expect(table).toContain('NOT MET  diagnosis ratio at 64 nodes: 1.3 (target <= 1.25)');
  });

  it('judges the ack on paired bursts: the median pair, the cold pair shown, acks over 3 s counted in every burst', () => {
    const burst = (p99Ms: number, over3s = 0) => ({ p50Ms: p99Ms / 2, p99Ms, maxMs: p99Ms + 1, over3s, failed: 0, cpuPerAckMs: 0.1 });
    const ack = {
      ...figures.ack,
      p99Ms: 45,
      cold: burst(120),
      floor: { ...burst(30), cold: burst(40) },
      pairs: [
        { botP99Ms: 70, floorP99Ms: 25, ratio: 2.8 },
        { botP99Ms: 45, floorP99Ms: 30, ratio: 1.5 },
        { botP99Ms: 40, floorP99Ms: 32, ratio: 1.25 },
      ],
      over3sAllBursts: 0,
    };
    const report = buildReport({ ...figures, ack }, env);
    expect(report.targets.find((t) => t.name.startsWith('ack p99 ÷'))).toMatchObject({ met: true, actual: '1.5 (median of 3 pairs: 2.8, 1.5, 1.25)' });
    expect(formatTable(report)).toMatch(/first burst after one command \(cold\) +p99 120 ms · bare node:http 40 ms · bot ÷ bare 3 · over 3 s: 0/);
    // A slow ack in the cold burst fails the target even when the reported burst had none.
    const slowCold = buildReport({ ...figures, ack: { ...ack, cold: burst(3200, 4), over3sAllBursts: 4 } }, env);
    expect(slowCold.targets.find((t) => t.name === 'acks over 3 s')).toMatchObject({ met: false, actual: '4' });
  });

  it('takes the critical path from the latencies: the longest of one host read, the directory chain and directory → host.dns', () => {
    expect(criticalPathMs({ hostMs: 100, directoryMs: 50 })).toBe(150);
    expect(criticalPathMs({ hostMs: 100, directoryMs: 80 })).toBe(180);
    expect(criticalPathMs({ hostMs: 10, directoryMs: 80 })).toBe(160);
    expect(criticalPathMs({ hostMs: 0, directoryMs: 0 })).toBe(0);
  });
});
