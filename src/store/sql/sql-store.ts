import type { Platform } from '../../kernel/platform.js';
import type { ConversationRef, MessageRef } from '../../kernel/refs.js';
import type { PlanState } from '../plan-states.js';
import type {
  ActionRecord,
  AuditEvent,
  AuditFilter,
  CheckRun,
  IdentityKey,
  IdentityLink,
  Json,
  NewStep,
  PlanLease,
  PlanStep,
  StepState,
  NewAction,
  NewAuditEvent,
  NewCheckRun,
  NewPlan,
  NewSchedule,
  Plan,
  PlanFilter,
  PlanPatch,
  Schedule,
  ScheduleFilter,
  Store,
  AlertClaim,
  AlertThread,
} from '../store.js';
import * as alerts from './alerts.js';
import * as actions from './actions.js';
import * as audit from './audit.js';
import * as checkRuns from './check-runs.js';
import type { Db } from './db.js';
import * as people from './people.js';
import * as journal from './plan-journal.js';
import * as plans from './plans.js';
import * as schedules from './schedules.js';

// The Store, once, over either database: the SQL is shared (see db.ts), only the driver and
// the migrations differ. Each method delegates to the file that owns its table.
export class SqlStore implements Store {
  constructor(private readonly db: Db) {}

  get dialect(): 'sqlite' | 'postgres' {
    return this.db.dialect;
  }

  saveCheckRun = (run: NewCheckRun): Promise<CheckRun> => checkRuns.saveCheckRun(this.db, run);
  getCheckRun = (id: string): Promise<CheckRun | null> => checkRuns.getCheckRun(this.db, id);
  listCheckRuns = (cluster: string, limit?: number): Promise<CheckRun[]> => checkRuns.listCheckRuns(this.db, cluster, limit);
  latestCheckRun = async (cluster: string): Promise<CheckRun | null> => (await checkRuns.listCheckRuns(this.db, cluster, 1))[0] ?? null;
  pruneCheckRuns = (olderThan: Date): Promise<number> => checkRuns.pruneCheckRuns(this.db, olderThan);

  createAction = (a: NewAction): Promise<ActionRecord> => actions.createAction(this.db, a);
  getAction = (id: string): Promise<ActionRecord | null> => actions.getAction(this.db, id);
  markActionHandled = (id: string, by: string, now: Date): Promise<ActionRecord | null> => actions.markActionHandled(this.db, id, by, now);
  pruneActions = (expiredBefore: Date): Promise<number> => actions.pruneActions(this.db, expiredBefore);

  createPlan = (p: NewPlan, a?: NewAuditEvent): Promise<Plan> => plans.createPlan(this.db, p, a);
  getPlan = (id: string): Promise<Plan | null> => plans.getPlan(this.db, id);
  listPlans = (filter?: PlanFilter): Promise<Plan[]> => plans.listPlans(this.db, filter);
  transitionPlan = (id: string, from: readonly PlanState[], to: PlanState, patch: PlanPatch, now: Date, a?: NewAuditEvent): Promise<Plan | null> =>
    plans.transitionPlan(this.db, id, from, to, patch, now, a);
  setPlanMessage = (id: string, ref: MessageRef, now: Date): Promise<Plan | null> => plans.setPlanMessage(this.db, id, ref, now);
  expireDuePlans = (now: Date): Promise<Plan[]> => plans.expireDuePlans(this.db, now);

  acquirePlanLease = (planId: string, owner: string, now: Date, ttlMs: number): Promise<PlanLease | null> => journal.acquirePlanLease(this.db, planId, owner, now, ttlMs);
  renewPlanLease = (lease: PlanLease, now: Date, ttlMs: number): Promise<boolean> => journal.renewPlanLease(this.db, lease, now, ttlMs);
  releasePlanLease = (lease: PlanLease, now: Date): Promise<void> => journal.releasePlanLease(this.db, lease, now);
  getPlanLease = (planId: string): Promise<PlanLease | null> => journal.getPlanLease(this.db, planId);
  beginStep = (planId: string, step: NewStep, lease: PlanLease, now: Date): Promise<PlanStep | null> => journal.beginStep(this.db, planId, step, lease, now);
  finishStep = (id: number, state: Exclude<StepState, 'started'>, detail: Json, now: Date): Promise<PlanStep | null> => journal.finishStep(this.db, id, state, detail, now);
  listSteps = (planId: string): Promise<PlanStep[]> => journal.listSteps(this.db, planId);

  appendAudit = (e: NewAuditEvent): Promise<AuditEvent> => audit.appendAudit(this.db, this.db, e);
  listAudit = (filter?: AuditFilter): Promise<AuditEvent[]> => audit.listAudit(this.db, filter);
  exportAndPruneAudit = (before: Date): Promise<AuditEvent[]> => audit.exportAndPruneAudit(this.db, before);

  createSchedule = (s: NewSchedule): Promise<Schedule> => schedules.createSchedule(this.db, s);
  upsertSchedule = (s: NewSchedule & { id: string }): Promise<Schedule> => schedules.upsertSchedule(this.db, s);
  getSchedule = (id: string): Promise<Schedule | null> => schedules.getSchedule(this.db, id);
  listSchedules = (filter?: ScheduleFilter): Promise<Schedule[]> => schedules.listSchedules(this.db, filter);
  deleteSchedule = (id: string): Promise<boolean> => schedules.deleteSchedule(this.db, id);
  pauseSchedule = (id: string, reason: string, now: Date): Promise<Schedule | null> => schedules.pauseSchedule(this.db, id, reason, now);
  resumeSchedule = (id: string): Promise<Schedule | null> => schedules.resumeSchedule(this.db, id);
  recordScheduleFired = (id: string, slot: string): Promise<boolean> => schedules.recordScheduleFired(this.db, id, slot);
  claimRun = (scheduleId: string, slot: string, owner: string, now: Date, leaseMs?: number): Promise<boolean> => schedules.claimRun(this.db, scheduleId, slot, owner, now, leaseMs);
  renewRunClaim = (scheduleId: string, slot: string, owner: string, now: Date, leaseMs?: number): Promise<boolean> => schedules.renewRunClaim(this.db, scheduleId, slot, owner, now, leaseMs);
  completeRun = (scheduleId: string, slot: string, owner: string, now: Date): Promise<boolean> => schedules.completeRun(this.db, scheduleId, slot, owner, now);
  listAbandonedRuns = (now: Date): Promise<Array<{ scheduleId: string; slot: string; owner: string }>> => schedules.listAbandonedRuns(this.db, now);
  pruneRunClaims = (olderThan: Date): Promise<number> => schedules.pruneRunClaims(this.db, olderThan);

  saveConversation = (ref: ConversationRef, now: Date): Promise<void> => people.saveConversation(this.db, ref, now);
  getConversation = (platform: Platform, channelId: string): Promise<ConversationRef | null> => people.getConversation(this.db, platform, channelId);
  listConversations = (platform?: Platform): Promise<ConversationRef[]> => people.listConversations(this.db, platform);

  linkIdentities = (a: IdentityKey, b: IdentityKey, linkedBy: string, now: Date): Promise<string> => people.linkIdentities(this.db, a, b, linkedBy, now);
  personOf = (k: IdentityKey): Promise<string> => people.personOf(this.db, k);
  identitiesOf = (personId: string): Promise<IdentityLink[]> => people.identitiesOf(this.db, personId);
  unlinkIdentity = (k: IdentityKey): Promise<boolean> => people.unlinkIdentity(this.db, k);

  claimAlertThread = (c: AlertClaim): Promise<boolean> => alerts.claimAlertThread(this.db, c);
  countAlertDuplicate = (key: string): Promise<AlertThread | null> => alerts.countAlertDuplicate(this.db, key);
  setAlertMessage = (key: string, owner: string, message: MessageRef): Promise<boolean> => alerts.setAlertMessage(this.db, key, owner, message);
  resolveAlertThread = (key: string, now: Date): Promise<AlertThread | null> => alerts.resolveAlertThread(this.db, key, now);
  pruneAlertThreads = (expiredBefore: Date): Promise<number> => alerts.pruneAlertThreads(this.db, expiredBefore);

  close = (): Promise<void> => this.db.close();
}
