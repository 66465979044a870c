// /readyz: every dependency the bot needs to serve a command, probed with a timeout each, all at
// once. Results are kept for a few seconds so probes from Kubernetes and a curious human do not
// multiply the load on the store and the relay.

export interface ProbeResult {
  ok: boolean;
  detail: string;
}

export interface Probe {
  name: string;
  run(): Promise<ProbeResult>;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, ProbeResult>;
}

export class ReadinessChecker {
  private last?: { at: number; result: Readiness };
  private inFlight?: Promise<Readiness>;

  constructor(
    private readonly probes: Probe[],
    private readonly options: { timeoutMs: number; cacheMs: number; onResult?: (r: Readiness) => void },
  ) {}

  async check(): Promise<Readiness> {
    if (this.last && performance.now() - this.last.at < this.options.cacheMs) return this.last.result;
    this.inFlight ??= this.runAll().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async runAll(): Promise<Readiness> {
    const results = await Promise.all(this.probes.map((p) => withTimeout(p, this.options.timeoutMs)));
    const checks = Object.fromEntries(this.probes.map((p, i) => [p.name, results[i]!]));
    const result = { ready: results.every((r) => r.ok), checks };
    this.last = { at: performance.now(), result };
    this.options.onResult?.(result);
    return result;
  }
}

async function withTimeout(probe: Probe, ms: number): Promise<ProbeResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${ms} ms` }), ms);
  });
  try {
    return await Promise.race([probe.run().catch((err: unknown) => ({ ok: false, detail: err instanceof Error ? err.message : String(err) })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
