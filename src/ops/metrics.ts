import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { exposeWithProcess } from '../metrics/process-metrics.js';

// The bot's Prometheus metrics (GET /metrics on the ops listener, docs/operations.md lists them
// with the alerts to set). One registry per running bot, not prom-client's global one, so tests and
// several bots in one process never share counters. Every label value comes from a fixed set (a
// command name the parser knows, a finding code, a platform) or is capped by `boundedLabel`:
// chat input never mints new series.

const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];
const CHECK_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];

export class BotMetrics {
  readonly registry = new Registry();
  readonly commands = new Counter({ name: 'triage_commands_total', help: 'Chat commands handled, by command name and outcome (ok, error: the person got an error reply or the handler failed).', labelNames: ['name', 'outcome'], registers: [this.registry] });
  readonly actions = new Counter({ name: 'triage_actions_total', help: 'Button actions handled, by action name and outcome.', labelNames: ['name', 'outcome'], registers: [this.registry] });
  readonly ack = new Histogram({ name: 'triage_ack_duration_seconds', help: 'From the core receiving an event to its acknowledgement (Slack needs one within 3 s), per platform.', labelNames: ['platform'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly checkDuration = new Histogram({ name: 'triage_check_duration_seconds', help: 'Whole checks run from chat (migration-check, cluster-health, the rerun button): evidence, diagnosis and the posted result.', labelNames: ['command'], buckets: CHECK_BUCKETS, registers: [this.registry] });
  readonly relayOp = new Histogram({ name: 'triage_relay_op_duration_seconds', help: 'Relay operations as the bot sees them, by operation and outcome (ok or the RelayError code).', labelNames: ['operation', 'outcome'], buckets: LATENCY_BUCKETS, registers: [this.registry] });
  readonly findings = new Counter({ name: 'triage_findings_total', help: 'Findings in saved check results, by finding code (docs/findings.md).', labelNames: ['code'], registers: [this.registry] });
  readonly checks = new Counter({ name: 'triage_checks_total', help: 'Saved check results, by verdict and trigger (chat or schedule).', labelNames: ['verdict', 'trigger'], registers: [this.registry] });
  readonly schedulerRuns = new Counter({ name: 'triage_scheduler_runs_total', help: 'Scheduled cluster-health runs that saved a result, by verdict.', labelNames: ['verdict'], registers: [this.registry] });
  readonly storeErrors = new Counter({ name: 'triage_store_errors_total', help: 'Store calls that failed, by store operation.', labelNames: ['operation'], registers: [this.registry] });
  readonly retentionPruned = new Counter({ name: 'triage_retention_pruned_total', help: 'Records removed by the retention timer (CHECK_RETENTION_DAYS), by kind.', labelNames: ['kind'], registers: [this.registry] });
  readonly ready = new Gauge({ name: 'triage_ready', help: '1 when the last /readyz found every dependency up, else 0; per dependency in triage_dependency_up.', registers: [this.registry] });
  readonly dependencyUp = new Gauge({ name: 'triage_dependency_up', help: 'Result of the last readiness probe of each dependency (store, relay, chat adapters).', labelNames: ['dependency'], registers: [this.registry] });
  private plansCollector?: () => Promise<Map<string, number>>;
  readonly plans = new Gauge({
    name: 'triage_plans',
    help: 'Remediation plans in the store, by state (read from the store at scrape time).',
    labelNames: ['state'],
    registers: [this.registry],
    collect: async () => {
      if (!this.plansCollector) return;
      this.plans.reset();
      // A store that is down must not take /metrics down with it (the scrape is how you see it):
      // the series are left out, and the failure is in triage_store_errors_total.
      const counts = await this.plansCollector().catch(() => undefined);
      for (const [state, n] of counts ?? []) this.plans.set({ state }, n);
    },
  });

  constructor(private readonly options: { defaultMetrics?: boolean } = {}) {}

  /** Plans by state are counted from the store when Prometheus scrapes, so every replica agrees. */
  countPlansWith(collect: () => Promise<Map<string, number>>): void {
    this.plansCollector = collect;
  }

  exposition(): Promise<string> {
    return exposeWithProcess(this.registry, this.options.defaultMetrics !== false);
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** A label value from outside input, kept to a known shape and a fixed number of distinct values. */
export function boundedLabel(seen: Set<string>, value: string, max = 64): string {
  if (!/^[a-z][a-z0-9._-]{0,63}$/.test(value)) return 'other';
  if (seen.has(value)) return value;
  if (seen.size >= max) return 'other';
  seen.add(value);
  return value;
}
