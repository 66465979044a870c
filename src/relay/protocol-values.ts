import { z } from 'zod';
import { nodeNameSchema } from '../kernel/node-name.js';

// The relay protocol's values (protocol.ts is the protocol): times, names and tokens the
// operations' parameters and results are built from. Split out so each file has one job; every
// name here is re-exported by protocol.ts, which callers import.

export const isoTimeSchema = z.string().datetime({ offset: true });
export const isoDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');
export const windowHoursSchema = z.number().int().min(1).max(24 * 31);

/** Service classes the relay will ever look up or write: nothing else reaches LDAP. */
export const MIGRATION_SERVICE = 'Microsoft Virtual System Migration Service';
export const SPN_SERVICE_CLASSES = [MIGRATION_SERVICE, 'cifs', 'HOST'] as const;

/** `<service class>/<host name>` with an allow-listed class and a valid host name. */
export const spnSchema = z.string().max(400).superRefine((value, ctx) => {
  const slash = value.indexOf('/');
  const cls = slash < 0 ? '' : value.slice(0, slash);
  const host = slash < 0 ? '' : value.slice(slash + 1);
  if (!(SPN_SERVICE_CLASSES as readonly string[]).includes(cls)) {
    ctx.addIssue({ code: 'custom', message: `SPN service class must be one of: ${SPN_SERVICE_CLASSES.join(', ')}` });
    return;
  }
  if (!nodeNameSchema.safeParse(host).success) ctx.addIssue({ code: 'custom', message: 'SPN host part is not a valid host name' });
});

/** A user as typed in chat or resolved from a platform profile: a UPN or a mail address. */
export const userIdSchema = z
  .string()
  .max(256)
  .regex(/^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/, 'expected a UPN or mail address such as alice@contoso.com');

/**
 * Issue 19: which move a test migration makes. remote-initiated: Move-VM -ComputerName <source>
 * run on the relay host (the off-box, shared-nothing path that needs the source's KCD);
 * cluster: Move-ClusterVirtualMachineRole (a clustered VM, moved by its cluster). Absent: the
 * move runs on the source itself, as before this field existed.
 */
export const testMigrationModeSchema = z.enum(['remote-initiated', 'cluster']);
export type TestMigrationMode = z.infer<typeof testMigrationModeSchema>;

export const vmNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._()-]*$/, 'VM names may contain letters, digits, spaces, dots, hyphens, underscores and parentheses');

/** Approval tokens are opaque to the bot's callers: `<base64url payload>.<hex HMAC>`. */
export const approvalTokenSchema = z.string().min(10).max(4096).regex(/^[A-Za-z0-9_-]+\.[0-9a-f]{64}$/, 'malformed approval token');

export const authenticationTypeSchema = z.enum(['Kerberos', 'CredSSP']);
