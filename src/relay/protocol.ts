import { z } from 'zod';
import { nodeNameSchema } from '../kernel/node-name.js';
import { approvalTokenSchema, authenticationTypeSchema, windowHoursSchema, isoTimeSchema, spnSchema, testMigrationModeSchema, userIdSchema, vmNameSchema } from './protocol-values.js';
import { computerSchema, dcDelegationSchema, delegationValuesSchema, dnsAnswerSchema, domainControllerSchema, hostEventSchema, hostSecuritySchema, hotfixSchema, kdcEventSchema, kdcPrincipalSchema, migrationSettingsSchema, userSchema, vmSchema, withinWriteLimits } from './protocol-results.js';

// The relay protocol, version 1: every allow-listed operation with the zod schemas of its
// parameters and its result. The bot validates before sending, the relay re-validates on
// receipt, and the client validates what comes back. Nothing here is a command string.
// Changing a schema in a way that breaks a caller needs a new protocol version (v2 paths).

export const PROTOCOL_VERSION = 'v1';

export * from './protocol-values.js';
export * from './protocol-results.js';

const dcWindowHours = z.number().int().min(1).max(24 * 7);

// ---- operations ----------------------------------------------------------------------------

const node = z.object({ node: nodeNameSchema }).strict();

/** One part of host.evidence: that read's result, or the error it alone met (the others still count). */
function evidencePart<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: z.object({ code: z.string().max(40), message: z.string().max(2000) }) }),
  ]);
}

export const operations = {
  'host.migration-settings': { write: false, params: node, result: migrationSettingsSchema },
  'host.security': { write: false, params: node, result: hostSecuritySchema },
  'host.events': {
    write: false,
    params: z.object({ node: nodeNameSchema, sinceHours: windowHoursSchema }).strict(),
    result: z.object({ events: z.array(hostEventSchema) }),
  },
  'host.hotfixes': { write: false, params: node, result: z.object({ hotfixes: z.array(hotfixSchema) }) },
  'host.dns': {
    write: false,
    params: z.object({ node: nodeNameSchema, names: z.array(nodeNameSchema).min(1).max(512) }).strict(),
    result: z.object({ answers: z.array(dnsAnswerSchema) }),
  },
  'host.vms': { write: false, params: node, result: z.object({ vms: z.array(vmSchema) }) },
  // Every read of one node in one request (one PowerShell invocation, one JEA session): each part
  // as host.<part> would answer it, or that part's own error. `names` are the peers to look up
  // (host.dns); none = no DNS part read.
  'host.evidence': {
    write: false,
    params: z.object({ node: nodeNameSchema, sinceHours: windowHoursSchema, names: z.array(nodeNameSchema).max(512) }).strict(),
    result: z.object({
      migration: evidencePart(migrationSettingsSchema),
      security: evidencePart(hostSecuritySchema),
      events: evidencePart(z.object({ events: z.array(hostEventSchema) })),
      hotfixes: evidencePart(z.object({ hotfixes: z.array(hotfixSchema) })),
      dns: evidencePart(z.object({ answers: z.array(dnsAnswerSchema) })),
      vms: evidencePart(z.object({ vms: z.array(vmSchema) })),
    }),
  },
  'cluster.nodes': {
    write: false,
    params: z.object({ cluster: nodeNameSchema }).strict(),
    result: z.object({ cluster: z.string(), nodes: z.array(z.string()) }),
  },
  'directory.computers': {
    write: false,
    params: z.object({ names: z.array(nodeNameSchema).min(1).max(512) }).strict(),
    result: z.object({
      domain: z.object({ fqdn: z.string(), netbios: z.string().nullable() }),
      computers: z.array(computerSchema),
      notFound: z.array(z.string()),
      /** The DC's clock (RootDSE currentTime), when known. */
      currentTime: isoTimeSchema.nullable(),
    }),
  },
  'directory.spn-owners': {
    write: false,
    params: z.object({ spns: z.array(spnSchema).min(1).max(2048) }).strict(),
    result: z.object({ owners: z.array(z.object({ spn: z.string(), accounts: z.array(z.string()) })) }),
  },
  'directory.user': {
    write: false,
    params: z.object({ id: userIdSchema }).strict(),
    result: z.object({ user: userSchema.nullable() }),
  },
  'directory.apply-delegation': {
    write: true,
    params: z
      .object({
        changes: z
          .array(
            z
              .object({ computer: nodeNameSchema, expected: delegationValuesSchema, desired: delegationValuesSchema })
              .strict()
              .superRefine(withinWriteLimits),
          )
          .min(1)
          .max(512),
        approval: approvalTokenSchema,
      })
      .strict(),
    result: z.object({
      applied: z.array(z.object({ computer: z.string(), before: delegationValuesSchema, after: delegationValuesSchema })),
    }),
  },
  'host.purge-tickets': {
    write: true,
    params: z.object({ node: nodeNameSchema, approval: approvalTokenSchema }).strict(),
    result: z.object({ purged: z.boolean() }),
  },
  'host.set-migration-auth': {
    write: true,
    params: z
      .object({
        node: nodeNameSchema,
        expected: authenticationTypeSchema,
        authenticationType: authenticationTypeSchema,
        approval: approvalTokenSchema,
      })
      .strict(),
    result: z.object({ before: authenticationTypeSchema, after: authenticationTypeSchema }),
  },
  'vm.test-migration': {
    write: true,
    params: z
      .object({ vm: vmNameSchema, source: nodeNameSchema, destination: nodeNameSchema, mode: testMigrationModeSchema.optional(), approval: approvalTokenSchema })
      .strict(),
    result: z.object({
      /** Which move the relay made; absent from a relay that predates `mode` (it ran the move on the source). */
      mode: testMigrationModeSchema.optional(),
      succeeded: z.boolean(),
      durationMs: z.number().min(0),
      message: z.string(),
      events: z.array(hostEventSchema),
    }),
  },
  // ---- domain controllers (issue 19): reads only ----
  'dc.list': {
    write: false,
    params: z.object({}).strict(),
    result: z.object({ dcs: z.array(domainControllerSchema).max(1024) }),
  },
  'dc.kdc-events': {
    write: false,
    params: z.object({ dc: nodeNameSchema, sinceHours: dcWindowHours, names: z.array(kdcPrincipalSchema).min(1).max(512) }).strict(),
    result: z.object({ events: z.array(kdcEventSchema).max(2000) }),
  },
  'dc.hotfixes': { write: false, params: z.object({ dc: nodeNameSchema }).strict(), result: z.object({ hotfixes: z.array(hotfixSchema) }) },
  // Both reads of one DC in one request (one JEA session on a Windows relay), each with its own outcome.
  'dc.evidence': {
    write: false,
    params: z.object({ dc: nodeNameSchema, sinceHours: dcWindowHours, names: z.array(kdcPrincipalSchema).min(1).max(512) }).strict(),
    result: z.object({
      kdcEvents: evidencePart(z.object({ events: z.array(kdcEventSchema).max(2000) })),
      hotfixes: evidencePart(z.object({ hotfixes: z.array(hotfixSchema) })),
    }),
  },
  'directory.replication': {
    write: false,
    params: z.object({ computers: z.array(nodeNameSchema).min(1).max(64), dcs: z.array(nodeNameSchema).min(1).max(32) }).strict(),
    result: z.object({
      dcs: z.array(
        z.discriminatedUnion('ok', [
          z.object({ dc: z.string().max(253), ok: z.literal(true), computers: z.array(dcDelegationSchema) }),
          z.object({ dc: z.string().max(253), ok: z.literal(false), error: z.object({ code: z.string().max(40), message: z.string().max(2000) }) }),
        ]),
      ),
    }),
  },
} as const;

export type OperationName = keyof typeof operations;
export const OPERATION_NAMES = Object.keys(operations) as OperationName[];
export type OpParams<O extends OperationName> = z.infer<(typeof operations)[O]['params']>;
export type OpResult<O extends OperationName> = z.infer<(typeof operations)[O]['result']>;

export function isOperationName(name: string): name is OperationName {
  return Object.prototype.hasOwnProperty.call(operations, name);
}


// ---- errors --------------------------------------------------------------------------------

/** Stable error codes of the protocol, with the HTTP status each travels with. */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  HOST_UNREACHABLE: 502,
  UNKNOWN_HOST: 404,
  DIRECTORY_UNREACHABLE: 502,
  BACKEND_ERROR: 502,
  TIMEOUT: 504,
  INTERNAL: 500,
} as const;
export type RelayErrorCode = keyof typeof ERROR_STATUS | 'RELAY_UNAVAILABLE' | 'BAD_RESPONSE';

/** An error that crossed (or would cross) the relay boundary. Its message is safe to show users. */
export class RelayError extends Error {
  constructor(
    readonly code: RelayErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'RelayError';
  }
}

export const responseSchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  }),
]);
