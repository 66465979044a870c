import { RelayError, type OpParams } from '../relay/protocol.js';
import type { Plan, PlanStep } from '../store/store.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import { audit } from './approvals-deps.js';
import type { HeldLease } from './plan-lease.js';
import { observe, planSteps, type Observation, type StepSpec } from './plan-steps.js';
import type { Remediation, Step } from './plan-document.js';
import { callWrite } from './write-remediation.js';

// Runs a plan's steps under a lease, journaling each one before and after it runs. `fresh` runs
// them in order. `resume` (recovery) first reads back what each step changes: a step whose
// target already holds the planned value is recorded as found done and skipped; one still at the
// value from before is run again (compare-and-swap keeps that safe); anything else stops the run
// for a person. Ticket purges cannot be read back and are idempotent: run unless journaled ok.
// After the steps, every step that can be read back is verified; only then may a plan be Applied.

export type Stop =
  /** The relay answered CONFLICT: AD no longer holds the expected values; nothing was written. */
  | { kind: 'conflict'; current: unknown; message: string }
  /** The relay refused before writing (token, validation, fencing, unknown computer). */
  | { kind: 'refused'; message: string }
  /** The AD write's outcome stayed unclear even after reading AD back, or AD holds other values. */
  | { kind: 'unclear'; message: string }
  /** AD was read back after a failed call and still holds the values from before. */
  | { kind: 'not-written'; message: string }
  /** Another replica took the lease over: this one stops and settles nothing. */
  | { kind: 'lease-lost'; message: string }
  /** The call failed and the target could not be read back either: the step stays "started", the plan applying, for recovery. */
  | { kind: 'in-doubt'; message: string }
  /** The write is in AD, but the DCs of the nodes' sites did not all carry it in time: tickets were not purged (issue 19). */
  | { kind: 'replication-pending'; message: string };

export interface RunResult {
  stop?: Stop;
}

// Answers that say the relay changed nothing; HOST_UNREACHABLE: the host's session never opened.
const REFUSED_BEFORE_WRITE = new Set(['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'UNKNOWN_HOST', 'HOST_UNREACHABLE']);
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));
const done = (s: PlanStep | undefined) => s !== undefined && (s.state === 'ok' || s.state === 'verified');

export function lastAttempt(journal: PlanStep[], key: string): PlanStep | undefined {
  return journal.filter((s) => s.stepKey === key).at(-1);
}

export interface RunInput {
  deps: ApprovalsDeps;
  plan: Plan;
  remediation: Remediation;
  held: HeldLease;
  who: string;
  requester: string;
  mode: 'fresh' | 'resume';
  /** Runs once the delegation write succeeded, before the ticket purges: the wait for replication. A Stop ends the run there. */
  afterDelegation?: (changes: StepSpec & { op: 'directory.apply-delegation' }) => Promise<Stop | undefined>;
}

export async function runSteps(input: RunInput): Promise<RunResult> {
  const { deps, plan, held, mode } = input;
  const journal = await deps.store.listSteps(plan.id);
  for (const planned of planSteps(input.remediation)) {
    if (held.lost) return { stop: { kind: 'lease-lost', message: 'another replica took this plan over' } };
    let spec = planned;
    const last = lastAttempt(journal, spec.key);
    if (mode === 'resume') {
      const seen = observe(deps, spec);
      if (!seen) {
        if (done(last)) continue;
      } else {
        const obs = await seen;
        if (!obs.readable) return { stop: { kind: 'unclear', message: obs.detail } };
        if (obs.seen === 'desired') {
          if (!done(last)) await recordFound(input, spec, obs);
          continue;
        }
        if (spec.op === 'directory.apply-delegation' && obs.perTarget.every((p) => p.seen !== 'neither')) {
          // Some computers were written before the stop: write only the ones still at their old values.
          spec = { ...spec, changes: spec.changes.filter((c) => obs.perTarget.find((p) => p.target === c.computer)?.seen === 'expected') };
        } else if (obs.seen === 'neither') {
          return { stop: { kind: 'unclear', message: obs.detail } };
        }
      }
    }
    const outcome = await runOne(input, spec);
    if (outcome === 'lease-lost') return { stop: { kind: 'lease-lost', message: 'another replica took this plan over' } };
    if (outcome !== 'ok' && outcome.kind === 'in-doubt') return { stop: outcome };
    // The AD write gates everything after it; a host step that fails leaves the others to run.
    if (outcome !== 'ok' && spec.op === 'directory.apply-delegation') return { stop: outcome };
    if (outcome === 'ok' && spec.op === 'directory.apply-delegation' && input.afterDelegation) {
      const stop = await input.afterDelegation(spec);
      if (stop) return { stop };
    }
  }
  return {};
}

/** Records a step found already done on recovery (read back), without writing. */
async function recordFound(input: RunInput, spec: StepSpec, obs: Observation & { readable: true }): Promise<void> {
  const { deps, plan, held } = input;
  const row = await deps.store.beginStep(plan.id, { stepKey: spec.key, op: spec.op, target: spec.target, detail: { by: 'recovery' } }, held.lease, deps.clock.now());
  if (row) await deps.store.finishStep(row.id, 'verified', { found: obs.detail, by: 'recovery' }, deps.clock.now());
}

function paramsOf(spec: StepSpec): Record<string, unknown> {
  if (spec.op === 'directory.apply-delegation') return { changes: spec.changes.map((c) => ({ computer: c.computer, expected: c.expected, desired: c.desired })) };
  if (spec.op === 'host.set-migration-auth') return { node: spec.change.node, expected: spec.change.expected, authenticationType: spec.change.desired };
  return { node: spec.target };
}

/** One step: journaled as started, sent with the lease's fencing token, journaled as it ended. */
async function runOne(input: RunInput, spec: StepSpec): Promise<'ok' | 'lease-lost' | Stop> {
  const { deps, plan, held, who, requester } = input;
  const row = await deps.store.beginStep(plan.id, { stepKey: spec.key, op: spec.op, target: spec.target, detail: { fence: held.token } }, held.lease, deps.clock.now());
  if (!row) return 'lease-lost';
  const action = `relay.${spec.op.slice(spec.op.indexOf('.') + 1)}`;
  const ids = { idempotencyKey: row.idempotencyKey, fence: held.token, target: spec.target };
  try {
    const result = await callWrite(deps, plan, spec.op, paramsOf(spec) as Omit<OpParams<typeof spec.op>, 'approval'>, requester, held.token);
    await deps.store.finishStep(row.id, 'ok', { result }, deps.clock.now());
    await audit(deps, who, action, plan.id, 'ok', { ...ids, result });
    return 'ok';
  } catch (err) {
    const code = err instanceof RelayError ? err.code : 'INTERNAL';
    const message = messageOf(err);
    const details = err instanceof RelayError && err.details ? { details: err.details } : {};
    if (code === 'CONFLICT' || REFUSED_BEFORE_WRITE.has(code)) {
      await deps.store.finishStep(row.id, 'failed', { code, message }, deps.clock.now());
      await audit(deps, who, action, plan.id, code === 'CONFLICT' ? 'conflict' : 'failed', { ...ids, code, message, ...details });
      if (code === 'CONFLICT') return { kind: 'conflict', current: (err as RelayError & { details?: { current?: unknown } }).details?.current, message };
      return { kind: 'refused', message };
    }
    // Timeout, relay down, backend error: the write may or may not have happened. Read it back
    // before saying anything, so the bot never reports a failure the relay counted a success.
    const seen = observe(deps, spec);
    const obs = seen ? await seen : undefined;
    if (obs && !obs.readable) {
      // Nobody can say yet whether it was written: the journal keeps the step "started" and
      // recovery reads it back once the relay answers again. Never reported as a failure.
      await audit(deps, who, action, plan.id, 'unknown', { ...ids, code, message, readBack: obs.detail });
      return { kind: 'in-doubt', message: `The relay did not answer ${spec.op} ${spec.target} (${message}), and it could not be read back` };
    }
    if (obs?.readable && obs.seen === 'desired') {
      await deps.store.finishStep(row.id, 'ok', { code, message, readBack: obs.detail }, deps.clock.now());
      await audit(deps, who, action, plan.id, 'ok', { ...ids, code, message, readBack: obs.detail });
      return 'ok';
    }
    await deps.store.finishStep(row.id, 'failed', { code, message, ...(obs ? { readBack: obs.detail } : {}) }, deps.clock.now());
    await audit(deps, who, action, plan.id, 'failed', { ...ids, code, message, ...(obs ? { readBack: obs.detail } : {}), ...details });
    if (obs?.readable && obs.seen === 'expected') return { kind: 'not-written', message: `The relay call failed (${message}), so it was read back: ${obs.detail}` };
    return { kind: 'unclear', message: `The relay call failed (${message}); read back: ${obs ? obs.detail : 'a ticket purge cannot be read back'}` };
  }
}

/** Reads back every step that can be; marks its last attempt verified or unverified. */
export async function verifySteps(deps: ApprovalsDeps, plan: Plan, remediation: Remediation): Promise<void> {
  const journal = await deps.store.listSteps(plan.id);
  for (const spec of planSteps(remediation)) {
    const last = lastAttempt(journal, spec.key);
    const seen = observe(deps, spec);
    if (!last || !seen || last.state !== 'ok') continue;
    const obs = await seen;
    const verified = obs.readable && obs.seen === 'desired';
    const prior = typeof last.detail === 'object' && last.detail !== null ? last.detail : {};
    await deps.store.finishStep(last.id, verified ? 'verified' : 'unverified', { ...prior, verification: obs.detail }, deps.clock.now());
  }
}

/** The card's steps, from the journal: exactly what ran, what did not, and what was verified. */
export async function journalSteps(deps: ApprovalsDeps, plan: Plan, remediation: Remediation): Promise<Step[]> {
  const journal = await deps.store.listSteps(plan.id);
  return planSteps(remediation).map((spec): Step => {
    const attempts = journal.filter((s) => s.stepKey === spec.key);
    const last = attempts.at(-1);
    const base = { op: spec.op, target: spec.target, ...(attempts.length > 1 ? { attempts: attempts.length } : {}) };
    if (!last) return { ...base, outcome: 'not-run' };
    const detail = (last.detail ?? {}) as { message?: string; found?: string; verification?: string };
    if (last.state === 'started') return { ...base, outcome: 'unknown' };
    if (last.state === 'failed') return { ...base, outcome: 'failed', ...(detail.message ? { message: detail.message } : {}) };
    const canVerify = spec.op !== 'host.purge-tickets';
    return {
      ...base,
      outcome: 'ok',
      ...(canVerify ? { verified: last.state === 'verified' } : {}),
      ...(detail.found ? { message: `found done on recovery: ${detail.found}` } : last.state === 'unverified' && detail.verification ? { message: detail.verification } : {}),
    };
  });
}

/** Every step ran and every step that can be read back was: the only way to "Applied". */
export function allVerified(steps: Step[]): boolean {
  return steps.every((s) => s.outcome === 'ok' && s.verified !== false);
}
