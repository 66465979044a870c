import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { PlanLease } from '../store/store.js';
import type { ApprovalsDeps } from './approvals-deps.js';

// The lease a replica holds while it runs a plan's steps. Taken in the store (free or expired
// only), renewed by a heartbeat every third of its time to live, let go at the end. When a
// renewal finds the lease taken over (another replica's recovery after it expired), `lost` turns
// true and the runner starts no further step; the store and the relay's fencing refuse it anyway.

/** This process, as a lease owner: host, pid and a random suffix (two bots on one host differ). */
export const REPLICA_ID = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

export const DEFAULT_LEASE_MS = 30_000;

/** Leases this process holds right now: the applies a graceful stop waits for. */
const active = new Set<HeldLease>();

/**
 * Graceful stop: waits until every apply this process runs has settled, or the deadline passes.
 * An apply still running then is handed off: its lease is not released but stops being renewed,
 * so it expires and another replica's recovery resumes it from the journal.
 */
export async function drainApplies(deadlineMs: number): Promise<{ finished: boolean; handedOff: string[] }> {
  const until = Date.now() + deadlineMs;
  while (active.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  const handedOff = [...active].map((h) => h.lease.planId);
  for (const held of active) held.abandon();
  return { finished: handedOff.length === 0, handedOff };
}

export class HeldLease {
  private timer?: NodeJS.Timeout;
  private lostLease = false;

  private constructor(
    private readonly deps: ApprovalsDeps,
    readonly lease: PlanLease,
    private readonly ttlMs: number,
  ) {}

  /** Takes the plan's lease and starts the heartbeat; undefined while someone else holds it. */
  static async take(deps: ApprovalsDeps, planId: string): Promise<HeldLease | undefined> {
    const ttl = deps.leaseMs ?? DEFAULT_LEASE_MS;
    const lease = await deps.store.acquirePlanLease(planId, deps.replicaId ?? REPLICA_ID, deps.clock.now(), ttl);
    if (!lease) return undefined;
    const held = new HeldLease(deps, lease, ttl);
    held.timer = setInterval(() => void held.renew(), Math.max(50, Math.floor(ttl / 3)));
    held.timer.unref();
    active.add(held);
    return held;
  }

  get token(): number {
    return this.lease.fencingToken;
  }

  get lost(): boolean {
    return this.lostLease;
  }

  /** One heartbeat; also called before the plan is settled, so a stale owner never settles it. */
  async renew(): Promise<boolean> {
    if (this.lostLease) return false;
    try {
      const ok = await this.deps.store.renewPlanLease(this.lease, this.deps.clock.now(), this.ttlMs);
      if (!ok) {
        this.lostLease = true;
        this.deps.logger.warn('lost the lease of a plan being applied; another replica took it over', { plan: this.lease.planId, fencingToken: this.lease.fencingToken });
      }
      return ok;
    } catch (err) {
      // The store is away: keep the lease until it can be renewed or it expires.
      this.deps.logger.warn('could not renew the lease of a plan being applied', { plan: this.lease.planId, error: (err as Error).message });
      return true;
    }
  }

  /** Stops renewing (the process is stopping): the lease expires and recovery takes over. */
  abandon(): void {
    clearInterval(this.timer);
    active.delete(this);
    this.lostLease = true;
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    active.delete(this);
    if (this.lostLease) return;
    await this.deps.store.releasePlanLease(this.lease, this.deps.clock.now()).catch((err: unknown) => {
      this.deps.logger.warn('could not release a plan lease; it will expire', { plan: this.lease.planId, error: (err as Error).message });
    });
  }
}
