import type { Platform } from '../kernel/platform.js';
import type { ConversationRef, MessageRef } from '../kernel/refs.js';
import type { Diagnosis, VerdictStatus } from '../diagnostics/findings.js';
import type { PlanState } from './plan-states.js';

// The one persistence seam. Two implementations (SQLite for one process, PostgreSQL for several
// replicas) pass the same contract suite (test/integration/store). Every method is atomic on
// its own; where two records must change together (a plan transition and its audit event) the
// method takes both, so callers never need a transaction of their own.
// Times are Dates; JSON fields come back exactly as saved (callers validate them with zod).

export type { PlanState } from './plan-states.js';

/** Something the bot can return JSON for (plans, payloads, snapshots, details). */
export type Json = unknown;

// ---- check runs ---------------------------------------------------------------------------

export interface NewCheckRun {
  /** Cluster name when the run covered a cluster; null for an ad-hoc list of nodes. */
  cluster: string | null;
  nodes: string[];
  /** Person key of whoever asked; null for a scheduled run. */
  requester: string | null;
  /** The schedule that fired this run, if any. */
  scheduleId?: string | null;
  /** Where the result was posted. */
  conversation: ConversationRef | null;
  verdict: VerdictStatus;
  diagnosis: Diagnosis;
  createdAt: Date;
}

export interface CheckRun extends NewCheckRun {
  id: string;
  scheduleId: string | null;
}

// ---- action records (what a button carries: an opaque id, never the data) ---------------------

export interface NewAction {
  /** What the button does: 'plan.approve', 'plan.reject', 'plan.rollback', ... */
  kind: string;
  payload: Json;
  createdAt: Date;
  expiresAt: Date;
}

export interface ActionRecord extends NewAction {
  /** Random, unguessable (~130 bits). */
  id: string;
  handledAt: Date | null;
  handledBy: string | null;
}

// ---- plans (the approval state machine) ------------------------------------------------------

export interface NewPlan {
  /** 'delegation-fix', 'test-migration', ... : what applying means. */
  kind: string;
  checkRunId: string | null;
  cluster: string | null;
  /** Person key of the operator who proposed it. */
  requester: string;
  /** The planned change (remediation's plan object). */
  plan: Json;
  /** The current values the plan was made against; the relay compares-and-swaps on them. */
  expected: Json;
  createdAt: Date;
  expiresAt: Date;
  messageRef?: MessageRef | null;
}

export interface Plan extends NewPlan {
  /** Random, unguessable (~80 bits), short enough to type in `audit <plan id>`. */
  id: string;
  state: PlanState;
  /** Values read just before the write, restored by a rollback. */
  snapshot: Json | null;
  /** Outcome of apply / re-check / rollback, for the card and the audit. */
  result: Json | null;
  approver: string | null;
  rollbackRequester: string | null;
  rollbackApprover: string | null;
  messageRef: MessageRef | null;
  updatedAt: Date;
  /** When it was approved, rejected or expired. */
  decidedAt: Date | null;
  appliedAt: Date | null;
  rolledBackAt: Date | null;
  /** Incremented by every transition. */
  version: number;
}

/** Fields a transition may set together with the new state. */
export type PlanPatch = Partial<
  Pick<Plan, 'snapshot' | 'result' | 'approver' | 'rollbackRequester' | 'rollbackApprover' | 'messageRef'>
>;

export interface PlanFilter {
  states?: PlanState[];
  checkRunId?: string;
  cluster?: string;
  limit?: number;
}

// ---- the step journal and the apply lease --------------------------------------------------------

export type StepState = 'started' | 'ok' | 'failed' | 'verified' | 'unverified';

/** One attempt at one step of an apply, recorded before it runs and updated after. */
export interface PlanStep {
  id: number;
  planId: string;
  /** Names the step within its plan: `host.set-migration-auth:HV04`. */
  stepKey: string;
  /** 1 for the first run; recovery's re-runs count up. */
  attempt: number;
  /** `<plan>:<step key>:<attempt>`: the same id in the bot's audit and the card. */
  idempotencyKey: string;
  op: string;
  target: string;
  state: StepState;
  /** The replica and lease token it ran under. */
  owner: string;
  fencingToken: number;
  detail: Json;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface NewStep {
  stepKey: string;
  op: string;
  target: string;
  detail?: Json;
}

/** Who may run a plan's steps now. The token only grows: each take of the lease adds one. */
export interface PlanLease {
  planId: string;
  owner: string;
  fencingToken: number;
  expiresAt: Date;
}

// ---- audit (append-only) -----------------------------------------------------------------------

export interface NewAuditEvent {
  at: Date;
  /** Person key, or 'system' for the bot's own decisions (expiry, crash recovery). */
  actor: string;
  /** 'plan.proposed', 'plan.approved', 'relay.applyDelegation', 'schedule.created', ... */
  action: string;
  /** What it is about: a plan id, schedule id, check run id. */
  subjectId: string | null;
  /** 'ok', 'refused', 'failed', ... */
  outcome: string;
  details: Json;
  /** The event that wrote it (kernel/request-id.ts); default: the current one, if any. */
  requestId?: string | null;
}

export interface AuditEvent extends NewAuditEvent {
  /** Increases with every append. */
  id: number;
}

export interface AuditFilter {
  subjectId?: string;
  actor?: string;
  requestId?: string;
  since?: Date;
  until?: Date;
  limit?: number;
}

// ---- schedules and run claims ------------------------------------------------------------------

export interface NewSchedule {
  cluster: string;
  cron: string;
  /** IANA time zone the cron is read in. */
  tz: string;
  /** Post only when something fails or changed. */
  quiet: boolean;
  target: ConversationRef;
  createdBy: string;
  /** Where it came from: a chat command or the policy file. */
  source: 'chat' | 'policy';
  createdAt: Date;
}

export interface Schedule extends NewSchedule {
  id: string;
  /** Set when the schedule stopped itself (channel or cluster gone); null while active. */
  pausedReason: string | null;
  pausedAt: Date | null;
  /** ISO instant of the last slot that fired, so a restart makes up a missed run once. */
  lastFiredSlot: string | null;
}

export interface ScheduleFilter {
  cluster?: string;
  /** Default true. */
  includePaused?: boolean;
}

// ---- conversations and identities ------------------------------------------------------------

export interface IdentityKey {
  platform: Platform;
  userId: string;
}

export interface IdentityLink extends IdentityKey {
  personId: string;
  linkedBy: string;
  linkedAt: Date;
}

// ---- alert threads (issue 22: alert-triggered checks, once across replicas) -------------------

export interface AlertClaim {
  /** Deduplication key: source, fingerprint and node set, hashed. */
  key: string;
  source: string;
  fingerprint: string;
  nodes: string[];
  /** The replica claiming (host and pid). */
  owner: string;
  now: Date;
  /** Duplicates within this long of the first post update its thread instead of posting. */
  windowMs: number;
  /** A claim whose post is not recorded within this long (the replica died) is taken over; default 2 min. */
  postLeaseMs?: number;
}

export interface AlertThread {
  key: string;
  /** Deliveries of this alert in the window, the first included. */
  seen: number;
  /** The alert's message, once posted. */
  message: MessageRef | null;
  resolved: boolean;
}

// ---- the interfaces: one per aggregate -----------------------------------------------------
// A module is handed only the aggregates it uses (approvals: plans, actions, audit, people;
// the scheduler: schedules, audit, conversations, people, the newest check run); the SQL
// store implements them all as `Store`.

export interface CheckRunStore {
  saveCheckRun(run: NewCheckRun): Promise<CheckRun>;
  getCheckRun(id: string): Promise<CheckRun | null>;
  /** A cluster's runs, newest first (default 20). */
  listCheckRuns(cluster: string, limit?: number): Promise<CheckRun[]>;
  /** The newest run of a cluster: call before saving a new run to say what changed. */
  latestCheckRun(cluster: string): Promise<CheckRun | null>;
  /** Retention: removes runs created before `olderThan`; returns how many. */
  pruneCheckRuns(olderThan: Date): Promise<number>;
}

/** Single-use action records (a picker's choices) a button refers to by id. */
export interface ActionStore {
  createAction(action: NewAction): Promise<ActionRecord>;
  getAction(id: string): Promise<ActionRecord | null>;
  /** Marks a single-use action handled; null when unknown, expired or already handled. */
  markActionHandled(id: string, by: string, now: Date): Promise<ActionRecord | null>;
  pruneActions(expiredBefore: Date): Promise<number>;
}

/** Plans, their leases and their step journal. */
export interface PlanStore {
  /** Creates a plan in `proposed`, with its audit event in the same transaction. */
  createPlan(plan: NewPlan, audit?: NewAuditEvent): Promise<Plan>;
  getPlan(id: string): Promise<Plan | null>;
  /** Newest first; at most `limit` (default 100). */
  listPlans(filter?: PlanFilter): Promise<Plan[]>;
  /**
   * Compare-and-swap: moves the plan to `to` only if its state is one of `from`, applying
   * `patch`, and appends `audit` in the same transaction. Returns the updated plan, or null
   * when the plan is missing or was not in an allowed state (nothing changed, nothing audited).
   * Throws when some from → to is not an edge of the state machine.
   */
  transitionPlan(
    id: string,
    from: readonly PlanState[],
    to: PlanState,
    patch: PlanPatch,
    now: Date,
    audit?: NewAuditEvent,
  ): Promise<Plan | null>;
  /** Remembers the card that shows the plan, so it can be edited in place. */
  setPlanMessage(id: string, messageRef: MessageRef, now: Date): Promise<Plan | null>;
  /** Moves every proposed plan whose time ran out to `expired`, auditing each as 'system'. */
  expireDuePlans(now: Date): Promise<Plan[]>;

  /**
   * Takes the plan's lease when it is free or expired; returns it with a fencing token one
   * higher than any before, or null while another owner's lease is live.
   */
  acquirePlanLease(planId: string, owner: string, now: Date, ttlMs: number): Promise<PlanLease | null>;
  /** Heartbeat: extends the lease if this owner still holds it with this token; else false. */
  renewPlanLease(lease: PlanLease, now: Date, ttlMs: number): Promise<boolean>;
  /** Lets the lease go (expires it now); the token is kept so the next one is higher. */
  releasePlanLease(lease: PlanLease, now: Date): Promise<void>;
  getPlanLease(planId: string): Promise<PlanLease | null>;
  /**
   * Records a step before it runs (state `started`, next attempt number), only while `lease`
   * is live and current: null when the lease was lost, so a replica that lost it writes nothing.
   */
  beginStep(planId: string, step: NewStep, lease: PlanLease, now: Date): Promise<PlanStep | null>;
  /** Records how a step ended (`ok` / `failed`) or how its read-back went (`verified` / `unverified`). */
  finishStep(id: number, state: Exclude<StepState, 'started'>, detail: Json, now: Date): Promise<PlanStep | null>;
  /** A plan's journal, oldest first. */
  listSteps(planId: string): Promise<PlanStep[]>;
}

export interface AuditStore {
  appendAudit(event: NewAuditEvent): Promise<AuditEvent>;
  /** Oldest first; at most `limit` (default 1000). */
  listAudit(filter?: AuditFilter): Promise<AuditEvent[]>;
  /** Admin only: removes events before `before` and returns them, for the caller to archive. */
  exportAndPruneAudit(before: Date): Promise<AuditEvent[]>;
}

/** Schedules and the claims of their runs. */
export interface ScheduleStore {
  createSchedule(schedule: NewSchedule): Promise<Schedule>;
  /** Insert or update by id (policy-file schedules, loaded by every replica at start). */
  upsertSchedule(schedule: NewSchedule & { id: string }): Promise<Schedule>;
  getSchedule(id: string): Promise<Schedule | null>;
  listSchedules(filter?: ScheduleFilter): Promise<Schedule[]>;
  deleteSchedule(id: string): Promise<boolean>;
  pauseSchedule(id: string, reason: string, now: Date): Promise<Schedule | null>;
  resumeSchedule(id: string): Promise<Schedule | null>;
  /** Records the slot that fired; never moves backwards. True when it moved. */
  recordScheduleFired(id: string, slot: string): Promise<boolean>;
  /**
   * The lease for one scheduled run: true for exactly one caller per (schedule, slot), or for
   * one caller taking over a claim whose run never finished once its lease (default 10 min) expired.
   */
  claimRun(scheduleId: string, slot: string, owner: string, now: Date, leaseMs?: number): Promise<boolean>;
  /** Heartbeat of a running scheduled run; false when the claim is no longer this owner's. */
  renewRunClaim(scheduleId: string, slot: string, owner: string, now: Date, leaseMs?: number): Promise<boolean>;
  /** The run ended (posted, or failed and said so): the slot is never taken over. */
  completeRun(scheduleId: string, slot: string, owner: string, now: Date): Promise<boolean>;
  /** Unfinished claims whose lease expired: their replica died between claim and post. */
  listAbandonedRuns(now: Date): Promise<Array<{ scheduleId: string; slot: string; owner: string }>>;
  pruneRunClaims(olderThan: Date): Promise<number>;
}

/** Channel references, for posts outside a conversation (Teams proactive posts). */
export interface ConversationStore {
  /** Insert or replace the reference of a channel (keyed by platform + channel id). */
  saveConversation(ref: ConversationRef, now: Date): Promise<void>;
  getConversation(platform: Platform, channelId: string): Promise<ConversationRef | null>;
  listConversations(platform?: Platform): Promise<ConversationRef[]>;
}

/** One person behind several platform identities. */
export interface PeopleStore {
  /** Links two platform identities as one person; returns the person id they now share. */
  linkIdentities(a: IdentityKey, b: IdentityKey, linkedBy: string, now: Date): Promise<string>;
  /** The person behind an identity: its linked person id, else `<platform>:<userId>`. */
  personOf(identity: IdentityKey): Promise<string>;
  identitiesOf(personId: string): Promise<IdentityLink[]>;
  unlinkIdentity(identity: IdentityKey): Promise<boolean>;
}

export interface AlertStore {
  /** Claims an alert's thread: true for exactly one caller per key and window (or after a resolve). */
  claimAlertThread(claim: AlertClaim): Promise<boolean>;
  /** Counts a duplicate delivery; null when there is no thread for the key. */
  countAlertDuplicate(key: string): Promise<AlertThread | null>;
  /** Records the alert's posted message (only the claim's owner may). */
  setAlertMessage(key: string, owner: string, message: MessageRef): Promise<boolean>;
  /** Marks the thread resolved; the thread for the one caller that did, null otherwise. */
  resolveAlertThread(key: string, now: Date): Promise<AlertThread | null>;
  pruneAlertThreads(expiredBefore: Date): Promise<number>;
}

export interface Store extends CheckRunStore, ActionStore, PlanStore, AuditStore, ScheduleStore, ConversationStore, PeopleStore, AlertStore {
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

/** The person key of an identity that is not linked to any other. */
export function personKey(identity: IdentityKey): string {
  return `${identity.platform}:${identity.userId}`;
}
