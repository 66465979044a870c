import { Counter, Histogram, Registry } from 'prom-client';
import { exposeWithProcess } from '../../metrics/process-metrics.js';
import { isOperationName } from '../protocol.js';

// Prometheus counters and a duration histogram for GET /metrics, with prom-client (the bot's
// /metrics uses it too), plus Node's default process metrics. Label values come from fixed sets
// (operation names, outcomes, rejection reasons), never from request text, so a caller cannot
// blow up the number of series by sending odd paths. One registry per relay, never the global one.

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class RelayMetrics {
  private readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'triage_relay_requests_total', help: 'Operation requests by operation and outcome.', labelNames: ['op', 'outcome'], registers: [this.registry] });
  private readonly durations = new Histogram({ name: 'triage_relay_request_duration_seconds', help: 'Time from request to answer, by operation.', labelNames: ['op'], buckets: BUCKETS, registers: [this.registry] });
  private readonly rejections = new Counter({ name: 'triage_relay_rejections_total', help: 'Requests refused before any backend ran, by reason.', labelNames: ['reason'], registers: [this.registry] });

  constructor(private readonly options: { defaultMetrics?: boolean } = {}) {}

  /** `op` is reported as "unknown" unless it is an operation of the protocol. */
  observe(op: string, outcome: string, seconds: number): void {
    const name = isOperationName(op) ? op : 'unknown';
    this.requests.inc({ op: name, outcome });
    this.durations.observe({ op: name }, seconds);
  }

  reject(reason: string): void {
    this.rejections.inc({ reason });
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    return exposeWithProcess(this.registry, this.options.defaultMetrics !== false);
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
