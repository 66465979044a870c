import { isOperationName } from '../protocol.js';

// Prometheus counters and a duration histogram for GET /metrics. Label values come from fixed
// sets (operation names, outcomes, rejection reasons), never from request text, so a caller
// cannot blow up the number of series by sending odd paths.

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class RelayMetrics {
  private readonly requests = new Map<string, number>();
  private readonly rejections = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();

  /** `op` is reported as "unknown" unless it is an operation of the protocol. */
  observe(op: string, outcome: string, seconds: number): void {
    const name = isOperationName(op) ? op : 'unknown';
    const key = `${name}\u0000${outcome}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    let h = this.durations.get(name);
    if (!h) this.durations.set(name, (h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) h.counts[i]! += 1;
    });
    h.sum += seconds;
    h.count += 1;
  }

  reject(reason: string): void {
    this.rejections.set(reason, (this.rejections.get(reason) ?? 0) + 1);
  }

  render(): string {
    const out: string[] = [];
    out.push('# HELP triage_relay_requests_total Operation requests by operation and outcome.');
    out.push('# TYPE triage_relay_requests_total counter');
    for (const [key, n] of this.requests) {
      const [op, outcome] = key.split('\u0000') as [string, string];
      out.push(`triage_relay_requests_total{op="${label(op)}",outcome="${label(outcome)}"} ${n}`);
    }
    out.push('# HELP triage_relay_request_duration_seconds Time from request to answer, by operation.');
    out.push('# TYPE triage_relay_request_duration_seconds histogram');
    for (const [op, h] of this.durations) {
      const l = `op="${label(op)}"`;
      BUCKETS.forEach((b, i) => out.push(`triage_relay_request_duration_seconds_bucket{${l},le="${b}"} ${h.counts[i]}`));
      out.push(`triage_relay_request_duration_seconds_bucket{${l},le="+Inf"} ${h.count}`);
      out.push(`triage_relay_request_duration_seconds_sum{${l}} ${h.sum}`);
      out.push(`triage_relay_request_duration_seconds_count{${l}} ${h.count}`);
    }
    out.push('# HELP triage_relay_rejections_total Requests refused before any backend ran, by reason.');
    out.push('# TYPE triage_relay_rejections_total counter');
    for (const [reason, n] of this.rejections) out.push(`triage_relay_rejections_total{reason="${label(reason)}"} ${n}`);
    return `${out.join('\n')}\n`;
  }
}
