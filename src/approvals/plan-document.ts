import { z } from 'zod';
import { conversationRefSchema } from '../kernel/refs.js';
import { testMigrationModeSchema } from '../relay/protocol.js';
import type { Plan } from '../store/store.js';

// What a plan row holds, validated with zod whenever it is read back from the store: the plan
// document (what will be done, as shown on the card) and the result (what happened). Three
// kinds share the approval state machine: the delegation fix, its rollback and a test migration.

const values = z.object({
  allowedToDelegateTo: z.array(z.string()),
  userAccountControl: z.number().int().min(0),
  allowedToActOnBehalfOf: z.array(z.string()).optional(),
});

export const remediationSchema = z.object({
  mode: z.enum(['kcd', 'rbcd']),
  nodes: z.array(z.string()).min(1),
  domainFqdn: z.string(),
  delegation: z.array(z.object({ computer: z.string(), expected: values, desired: values, add: z.array(z.string()) })),
  migrationAuth: z.array(z.object({ node: z.string(), expected: z.enum(['Kerberos', 'CredSSP']), desired: z.enum(['Kerberos', 'CredSSP']) })),
  purgeTickets: z.array(z.string()),
});

const pair = z.object({ from: z.string(), to: z.string() });
const verdictSummary = z.object({ status: z.string(), text: z.string() });

const common = {
  /** How the proposer is shown (a mention); authorisation never reads it. */
  proposedBy: z.string(),
  /** The thread the card lives in, where results are posted. */
  thread: conversationRefSchema,
};

export const fixDocumentSchema = z.object({
  kind: z.literal('delegation-fix'),
  ...common,
  remediation: remediationSchema,
  before: verdictSummary,
  unblocks: z.array(pair),
  stillBlocked: z.array(pair.extend({ blockedBy: z.array(z.string()) })),
  risks: z.array(z.string()),
});

export const rollbackDocumentSchema = z.object({
  kind: z.literal('rollback'),
  ...common,
  /** The applied plan this one undoes. */
  of: z.string(),
  remediation: remediationSchema,
  risks: z.array(z.string()),
});

export const testMigrationDocumentSchema = z.object({
  kind: z.literal('test-migration'),
  ...common,
  vm: z.string(),
  source: z.string(),
  destination: z.string(),
  /** Issue 19: the move chosen from the findings; absent on plans made before (the move ran on the source). */
  mode: testMigrationModeSchema.optional(),
  /** The finding codes that made this move the failing path (empty: none did). */
  because: z.array(z.string()).optional(),
});

export const planDocumentSchema = z.discriminatedUnion('kind', [fixDocumentSchema, rollbackDocumentSchema, testMigrationDocumentSchema]);

export type Remediation = z.infer<typeof remediationSchema>;
export type FixDocument = z.infer<typeof fixDocumentSchema>;
export type RollbackDocument = z.infer<typeof rollbackDocumentSchema>;
export type TestMigrationDocument = z.infer<typeof testMigrationDocumentSchema>;
export type PlanDocument = z.infer<typeof planDocumentSchema>;

/**
 * One step of an apply, as the card and the audit show it (built from the step journal).
 * ok: the relay wrote it; failed: refused or failed; skipped: not needed; not-run: never started;
 * unknown: started, and no answer was recorded (the bot stopped). `verified` says whether AD or
 * the host was read back holding the planned value (a ticket purge has nothing to read back).
 */
export const stepSchema = z.object({
  op: z.string(),
  target: z.string(),
  outcome: z.enum(['ok', 'failed', 'skipped', 'not-run', 'unknown']),
  message: z.string().optional(),
  verified: z.boolean().optional(),
  attempts: z.number().int().optional(),
});
export type Step = z.infer<typeof stepSchema>;

export const resultSchema = z.object({
  /** applied | conflict | error | recovered | not-started | test-done */
  outcome: z.string(),
  note: z.string().optional(),
  steps: z.array(stepSchema).default([]),
  /** On CONFLICT: the values AD holds now, per computer. */
  current: z.unknown().optional(),
  after: verdictSummary.optional(),
  /** The re-check (a check run id), for its buttons. */
  recheckId: z.string().optional(),
  test: z.object({ mode: testMigrationModeSchema.optional(), succeeded: z.boolean(), durationMs: z.number(), message: z.string(), events: z.array(z.object({ log: z.string(), id: z.number(), time: z.string(), message: z.string() })) }).optional(),
  /** For a fix being rolled back or rolled back: the rollback plan's id. */
  rollbackId: z.string().optional(),
});
export type PlanResult = z.infer<typeof resultSchema>;

/** The plan's document, or undefined when the row holds something we never wrote (tampering). */
export function documentOf(plan: Plan): PlanDocument | undefined {
  const parsed = planDocumentSchema.safeParse(plan.plan);
  return parsed.success ? parsed.data : undefined;
}

export function resultOf(plan: Plan): PlanResult | undefined {
  if (plan.result === null) return undefined;
  const parsed = resultSchema.safeParse(plan.result);
  return parsed.success ? parsed.data : undefined;
}
