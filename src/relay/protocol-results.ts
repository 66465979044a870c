import { z } from 'zod';
import { nodeNameSchema, shortName } from '../kernel/node-name.js';
import { SPN_SERVICE_CLASSES, authenticationTypeSchema, isoDateSchema, isoTimeSchema, spnSchema } from './protocol-values.js';

// The relay protocol's results (protocol.ts is the protocol): what each operation answers, the
// write limits a delegation change is held to, and the domain controllers' evidence (issue 19).
// Every name here is re-exported by protocol.ts, which callers import.

// ---- results -------------------------------------------------------------------------------

export const migrationSettingsSchema = z.object({
  enabled: z.boolean(),
  authenticationType: authenticationTypeSchema,
  maxMigrations: z.number().int().min(0),
  maxStorageMigrations: z.number().int().min(0).optional(),
  useAnyNetwork: z.boolean().optional(),
  /** VirtualMachineMigrationPerformanceOption: SMB carries live migrations over SMB (needs cifs delegation). */
  performanceOption: z.enum(['TCPIP', 'Compression', 'SMB']).optional(),
});

export const hostSecuritySchema = z.object({
  os: z.string().max(200),
  credentialGuardRunning: z.boolean(),
  credentialGuardConfigured: z.boolean(),
  /** Seconds this host's clock is ahead (+) or behind (-) the domain controller. */
  clockOffsetSeconds: z.number(),
  /** The host's own IP addresses (every adapter), which peers' forward lookups must land on. */
  addresses: z.array(z.string().max(64)).max(64).optional(),
  /** The AD site the host is in (issue 19): the DCs of this site are the ones it asks for tickets. */
  site: z.string().max(64).nullable().optional(),
});

export const hostEventSchema = z.object({
  log: z.string().max(200),
  id: z.number().int(),
  time: isoTimeSchema,
  message: z.string().max(8000),
});

export const hotfixSchema = z.object({ id: z.string().max(40), installedOn: isoDateSchema.nullable() });

export const dnsAnswerSchema = z.object({
  name: z.string(),
  /** The host name the lookup lands on (FQDN; the PTR of an address), or null when it does not resolve. */
  resolvedTo: z.string().nullable(),
  /** Every A/AAAA address the forward lookup returned (absent from relays that do not report them). */
  addresses: z.array(z.string().max(64)).max(64).optional(),
});

export const vmSchema = z.object({
  name: z.string(),
  state: z.string(),
  /** IsClustered: the VM is a cluster role (the cluster can move it without the nodes' KCD). */
  isClustered: z.boolean().optional(),
  /** Where the VM's configuration and disks live; `\\server\share\...` means SMB storage. */
  storagePaths: z.array(z.string().max(400)).max(64).optional(),
});

export const computerSchema = z.object({
  name: z.string(),
  distinguishedName: z.string(),
  dnsHostName: z.string().nullable(),
  userAccountControl: z.number().int().min(0),
  allowedToDelegateTo: z.array(z.string()),
  servicePrincipalNames: z.array(z.string()),
  supportedEncryptionTypes: z.number().int().min(0).nullable(),
  /** RBCD: sAMAccountNames (without `$`) the security descriptor grants; unresolved SIDs as SIDs. */
  allowedToActOnBehalfOf: z.array(z.string()),
});

/**
 * An SPN as AD may already hold it on a computer (HTTP/web01, MSSQLSvc/sql01:1433): any service
 * class, letters, digits, dots, hyphens and spaces only. Accepted so a compare-and-swap can carry
 * a computer's existing delegations back unchanged; values the bot ADDS must pass `spnSchema`.
 */
export const existingSpnSchema = z
  .string()
  .max(400)
  .superRefine((value, ctx) => {
    const m = /^([A-Za-z0-9][A-Za-z0-9._ -]{0,63})\/([^/:]+)(?::(\d{1,5}))?(?:\/([^/]+))?$/.exec(value);
    const hostOk = (h: string | undefined) => h === undefined || nodeNameSchema.safeParse(h).success;
    if (!m || !hostOk(m[2]) || !hostOk(m[4])) ctx.addIssue({ code: 'custom', message: 'expected an SPN such as HTTP/web01.contoso.com with a valid host name' });
  });

export const delegationValuesSchema = z.object({
  allowedToDelegateTo: z.array(existingSpnSchema).max(4096),
  userAccountControl: z.number().int().min(0).max(0xffffffff),
  allowedToActOnBehalfOf: z.array(nodeNameSchema).max(1024).optional(),
});

export const userSchema = z.object({
  name: z.string(),
  upn: z.string().nullable(),
  mail: z.string().nullable(),
  userAccountControl: z.number().int().min(0),
  /** NOT_DELEGATED (0x100000): "Account is sensitive and cannot be delegated". */
  sensitive: z.boolean(),
  protectedUsers: z.boolean(),
  /** Distinguished names of every group, nested membership included. */
  groups: z.array(z.string()),
});

/** userAccountControl bits the write limits look at (MS-ADTS 2.2.16). */
export const UAC_BITS = {
  SERVER_TRUST_ACCOUNT: 0x2000,
  TRUSTED_FOR_DELEGATION: 0x80000,
  TRUSTED_TO_AUTH_FOR_DELEGATION: 0x1000000,
  PARTIAL_SECRETS_ACCOUNT: 0x4000000,
} as const;

/** Marks a zod issue as a write-limit refusal (answered 403, reason write_limit), not bad input. */
export const WRITE_LIMIT_ISSUE = { writeLimit: true } as const;

/** A domain controller (writable, or read-only) by its userAccountControl. */
export function isDomainControllerUac(uac: number): boolean {
  return (uac & (UAC_BITS.SERVER_TRUST_ACCOUNT | UAC_BITS.PARTIAL_SECRETS_ACCOUNT)) !== 0;
}

/** The host an SPN points at (`cls/host[:port][/service]`), or undefined when it has none. */
export function spnHost(spn: string): string | undefined {
  const m = /^[^/]+\/([^/:]+)/.exec(spn);
  return m?.[1];
}

/**
 * Write limits the schema can judge on its own (docs/relay-protocol.md §5): what a delegation fix
 * may change, whatever backend runs it. The facts that need AD (is the computer a Hyper-V host,
 * is it a DC in AD) are checked by src/relay/write-limits.ts before the backend writes. Because
 * the write is a compare-and-swap on `expected`, judging `expected` here is judging AD.
 */
export function withinWriteLimits(change: { computer: string; expected: DelegationValues; desired: DelegationValues }, ctx: z.RefinementCtx): void {
  const self = shortName(change.computer);
  const { expected, desired } = change;
  if (isDomainControllerUac(expected.userAccountControl)) {
    ctx.addIssue({ code: 'custom', params: WRITE_LIMIT_ISSUE, path: ['computer'], message: 'the relay never changes a domain controller (userAccountControl has 0x2000 or 0x4000000)' });
  }
  const changed = (expected.userAccountControl ^ desired.userAccountControl) >>> 0;
  const setsT2a = (changed & UAC_BITS.TRUSTED_TO_AUTH_FOR_DELEGATION) !== 0 && (desired.userAccountControl & UAC_BITS.TRUSTED_TO_AUTH_FOR_DELEGATION) !== 0;
  const clearsUnconstrained = (changed & UAC_BITS.TRUSTED_FOR_DELEGATION) !== 0 && (desired.userAccountControl & UAC_BITS.TRUSTED_FOR_DELEGATION) === 0;
  const allowed = (setsT2a ? UAC_BITS.TRUSTED_TO_AUTH_FOR_DELEGATION : 0) | (clearsUnconstrained ? UAC_BITS.TRUSTED_FOR_DELEGATION : 0);
  if ((changed & ~allowed) !== 0) {
    const what = (changed & UAC_BITS.TRUSTED_FOR_DELEGATION) !== 0 ? 'sets 0x80000 (unconstrained delegation)' : `changes bits 0x${((changed & ~allowed) >>> 0).toString(16)}`;
    ctx.addIssue({ code: 'custom', params: WRITE_LIMIT_ISSUE, path: ['desired', 'userAccountControl'], message: `${what}: the relay only sets 0x1000000 and clears 0x80000` });
  }
  const had = new Set(expected.allowedToDelegateTo.map((v) => v.toLowerCase()));
  desired.allowedToDelegateTo.forEach((value, i) => {
    if (had.has(value.toLowerCase())) return;
    const host = spnHost(value);
    if (!spnSchema.safeParse(value).success) {
      ctx.addIssue({ code: 'custom', path: ['desired', 'allowedToDelegateTo', i], message: `the relay adds only ${SPN_SERVICE_CLASSES.join(', ')} SPNs of valid host names` });
    } else if (host !== undefined && shortName(host) === self) {
      ctx.addIssue({ code: 'custom', params: WRITE_LIMIT_ISSUE, path: ['desired', 'allowedToDelegateTo', i], message: 'an added SPN must point at another Hyper-V host, not the computer itself' });
    }
  });
  if (desired.allowedToActOnBehalfOf) {
    // Without `expected` principals every desired one counts as newly granted (write-limits.ts).
    const granted = new Set((expected.allowedToActOnBehalfOf ?? []).map(shortName));
    desired.allowedToActOnBehalfOf.forEach((name, i) => {
      if (!granted.has(shortName(name)) && shortName(name) === self) {
        ctx.addIssue({ code: 'custom', params: WRITE_LIMIT_ISSUE, path: ['desired', 'allowedToActOnBehalfOf', i], message: 'RBCD may grant only other Hyper-V hosts, not the computer itself' });
      }
    });
  }
}

// ---- domain controllers (issue 19) ---------------------------------------------------------

/** A domain controller as the directory lists it (computer objects with 0x2000, or 0x4000000 for an RODC). */
export const domainControllerSchema = z.object({
  name: z.string().max(64),
  dnsHostName: z.string().max(253).nullable(),
  /** The AD site its server object sits in (CN=Sites), or null when none was found. */
  site: z.string().max(64).nullable(),
  readOnly: z.boolean(),
});

/**
 * A principal the KDC events are searched for: an allow-listed SPN (migration service, cifs,
 * HOST) or a computer account name (HV01 or HV01$). The names are compared inside the fixed
 * script with the events' data values; they never become filter text.
 */
export const kdcPrincipalSchema = z.union([
  spnSchema,
  z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,13}[A-Za-z0-9])?\$?$/, 'expected an allow-listed SPN or a computer account such as HV01$'),
]);

/** Kerberos failure codes the KDC events are read for (RFC 4120 7.5.9, as 4768/4769/4771 report them). */
export const KDC_FAILURE_STATUSES = ['0xD', '0xE', '0xF', '0x12', '0x1B', '0x25'] as const;
/** System-log KDC (Kdcsvc) event ids read: 11 duplicate SPN, 14/16/26/27 etypes, 42 weak keys, 35-43 PAC. */
export const KDC_SYSTEM_EVENT_IDS = [11, 14, 16, 26, 27, 35, 36, 37, 38, 39, 40, 41, 42, 43] as const;
export const KDC_SECURITY_EVENT_IDS = [4768, 4769, 4771] as const;

export const kdcEventSchema = z.object({
  log: z.enum(['Security', 'System']),
  id: z.number().int(),
  time: isoTimeSchema,
  /** Security events: the failure code as the event prints it (0xd), normalised to upper-case hex digits (0xD). */
  status: z.string().max(16).nullable(),
  /** 4768/4769/4771 TargetUserName: the account that asked (HV01$@LAB.TEST). */
  account: z.string().max(400).nullable(),
  /** 4769 ServiceName: the service (account or SPN) the ticket was asked for. */
  service: z.string().max(400).nullable(),
  /** 4769 TransmittedServices: non-empty on an S4U2proxy request. */
  transmittedServices: z.string().max(2000).nullable(),
  message: z.string().max(8000),
});

export const dcDelegationSchema = z.object({
  computer: z.string().max(253),
  found: z.boolean(),
  allowedToDelegateTo: z.array(z.string().max(400)).max(4096),
  userAccountControl: z.number().int().min(0).max(0xffffffff).nullable(),
  allowedToActOnBehalfOf: z.array(z.string().max(256)).max(1024),
});

export type MigrationSettings = z.infer<typeof migrationSettingsSchema>;
export type HostSecurity = z.infer<typeof hostSecuritySchema>;
export type HostEvent = z.infer<typeof hostEventSchema>;
export type Hotfix = z.infer<typeof hotfixSchema>;
export type DnsAnswer = z.infer<typeof dnsAnswerSchema>;
export type Vm = z.infer<typeof vmSchema>;
export type Computer = z.infer<typeof computerSchema>;
export type DelegationValues = z.infer<typeof delegationValuesSchema>;
export type DirectoryUser = z.infer<typeof userSchema>;
export type AuthenticationType = z.infer<typeof authenticationTypeSchema>;
export type DomainController = z.infer<typeof domainControllerSchema>;
export type KdcEvent = z.infer<typeof kdcEventSchema>;
export type DcDelegation = z.infer<typeof dcDelegationSchema>;
