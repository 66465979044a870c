import { describe, expect, it } from 'vitest';
import { RelayMetrics } from '../../../src/relay/server/metrics.js';

// The relay's /metrics on prom-client keeps its series names and labels (docs/relay-protocol.md;
// dashboards read them), maps odd operation names to "unknown", and adds Node's process metrics.
describe('RelayMetrics', () => {
  it('exposes requests, durations and rejections under the documented names', async () => {
    const m = new RelayMetrics();
    m.observe('host.security', 'ok', 0.02);
    m.observe('host.security', 'ok', 3);
    m.observe('../../etc/passwd', 'invalid', 0.001);
    m.reject('bad_signature');
    const text = await m.render();
    expect(text).toMatch(/^triage_relay_requests_total\{op="host.security",outcome="ok"\} 2$/m);
    expect(text).toMatch(/^triage_relay_requests_total\{op="unknown",outcome="invalid"\} 1$/m);
    expect(text).toMatch(/^triage_relay_request_duration_seconds_bucket\{le="0.025",op="host.security"\} 1$/m);
    expect(text).toMatch(/^triage_relay_request_duration_seconds_count\{op="host.security"\} 2$/m);
    expect(text).toMatch(/^triage_relay_rejections_total\{reason="bad_signature"\} 1$/m);
    expect(text).not.toContain('passwd');
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('keeps two relays in one process apart', async () => {
    const a = new RelayMetrics({ defaultMetrics: false });
    const b = new RelayMetrics({ defaultMetrics: false });
    a.reject('unknown_key');
    expect(await b.render()).not.toContain('unknown_key');
    expect(await a.render()).not.toContain('process_resident_memory_bytes');
  });
});
