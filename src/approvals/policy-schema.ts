import { z } from 'zod';
import { chatPlatformSchema } from '../kernel/platform.js';
import { alertsPolicySchema } from './alert-policy-schema.js';

// The policy file: who may do what, where the bot answers, linked identities, the fix style and
// scheduled posts. Identities are stable platform ids, never display names.

/**
 * A member of a role:
 * `*` (everyone), `slack:U…`, `slack-group:S…`, `teams:<AAD object id>`, `web:<persona id>`,
 * `person:<name>` (a linked person below), `ad-group:<group DN>` (nested membership, resolved
 * through the relay's directory.user from the person's `ad` UPN or their platform e-mail).
 */
export const memberSchema = z
  .string()
  .regex(/^(\*|slack:[A-Z0-9]+|slack-group:[A-Z0-9]+|teams:[0-9a-fA-F-]{8,64}|web:[a-z0-9-]{1,32}|person:[a-z0-9._-]{1,64}|ad-group:.{3,512})$/, 'expected *, slack:U…, slack-group:S…, teams:<AAD object id>, web:<persona>, person:<name> or ad-group:<DN>');

export const personSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9._-]{1,64}$/, 'lower-case letters, digits, dot, dash, underscore'),
    displayName: z.string().max(100).optional(),
    slack: z.string().regex(/^[A-Z0-9]+$/).optional(),
    teams: z.string().regex(/^[0-9a-fA-F-]{8,64}$/).optional(),
    web: z.string().regex(/^[a-z0-9-]{1,32}$/).optional(),
    /** UPN or mail in AD, for ad-group roles and the initiator check. */
    ad: z.string().email().optional(),
  })
  .strict();

const channelList = z.array(z.string().min(1).max(200));

export const scheduleSchema = z
  .object({
    cluster: z.string().min(1).max(253),
    cron: z.string().min(9).max(100),
    tz: z.string().min(1).max(64).default('UTC'),
    quiet: z.boolean().default(false),
    target: z.object({ platform: chatPlatformSchema, channelId: z.string().min(1).max(200) }).strict(),
  })
  .strict();

export const policySchema = z
  .object({
    /** Where the bot answers at all, per platform; a platform not listed answers everywhere. */
    channels: z.object({ slack: channelList, teams: channelList, web: channelList }).partial().strict().default({}),
    people: z.array(personSchema).default([]),
    roles: z
      .object({ viewer: z.array(memberSchema).default(['*']), operator: z.array(memberSchema).default([]), approver: z.array(memberSchema).default([]) })
      .strict(),
    /** How fixes delegate: classic KCD on the source objects, or RBCD on the destinations. */
    remediation: z.object({ mode: z.enum(['kcd', 'rbcd']).default('kcd'), includeCifs: z.boolean().default(true) }).strict().default({ mode: 'kcd', includeCifs: true }),
    planTtlMinutes: z.number().int().min(1).max(1440).optional(),
    schedules: z.array(scheduleSchema).default([]),
    /** Alert-triggered checks (docs/alerts.md): sources, routes, dedup window. Absent: POST /v1/alerts refuses every alert. */
    alerts: alertsPolicySchema.optional(),
  })
  .strict();

export type Policy = z.infer<typeof policySchema>;
export type Person = z.infer<typeof personSchema>;
export type PolicySchedule = z.infer<typeof scheduleSchema>;
