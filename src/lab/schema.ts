import { z } from 'zod';
import { nodeNameProblem } from '../kernel/node-name.js';
import { FINDING_CODES } from '../diagnostics/findings.js';
import { authenticationTypeSchema, existingSpnSchema, KDC_FAILURE_STATUSES, userIdSchema, vmNameSchema } from '../relay/protocol.js';
import { crossCheckScenario } from './cross-check.js';

// The lab scenario format: a public contract (docs/lab-scenarios.md, docs/lab-scenario.schema.json),
// because people write scenarios to reproduce their incidents. Objects are strict so a typo in a
// key is an error instead of a silently ignored setting. Defaults live here (visible in the JSON
// Schema); defaults that depend on other fields (dNSHostName, SPNs) are filled by LabState.

const isoTime = z.iso.datetime({ offset: true });
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

/** A computer or host name as AD's sAMAccountName (without `$`): a valid NetBIOS-style name. */
const shortName = z.string().superRefine((value, ctx) => {
  const problem = nodeNameProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `host name ${problem}` });
  else if (value.includes('.')) ctx.addIssue({ code: 'custom', message: 'expected a short (NetBIOS) name without dots, such as HV01' });
}).meta({ pattern: '^[A-Za-z0-9](?:[A-Za-z0-9-]{0,13}[A-Za-z0-9])?$' });

/** A DNS name (FQDN) such as hv01.lab.test. */
const dnsName = z.string().superRefine((value, ctx) => {
  const problem = nodeNameProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `DNS name ${problem}` });
}).meta({ pattern: '^[A-Za-z0-9.-]{1,253}$' });

/** An IPv4 or IPv6 address as a resolver prints it. */
const ipAddress = z.union([z.ipv4(), z.ipv6()]);

/** `<service class>/<host>[...]`, as stored in servicePrincipalName (any service class). */
const anySpn = z.string().regex(/^[^\s/][^/]*\/\S+$/, 'expected an SPN such as HOST/hv01.lab.test');

const domainSchema = z
  .strictObject({
    fqdn: dnsName.describe('DNS name of the AD domain, e.g. lab.test'),
    netbios: z.string().regex(/^[A-Za-z0-9-]{1,15}$/, 'expected a NetBIOS domain name such as LAB').describe('NetBIOS name of the domain'),
    now: isoTime.describe("The lab's clock: every read and write happens at this instant"),
  })
  .describe('The AD domain and the pinned clock');

const clusterSchema = z.strictObject({
  name: shortName.describe('Cluster name object, e.g. HVCLUSTER01'),
  nodes: z.array(shortName).min(1).describe('Host names of the cluster nodes (each must be listed under hosts)'),
});

const computerSchema = z.strictObject({
  name: shortName.describe('sAMAccountName without the trailing $'),
  dnsHostName: dnsName.nullable().optional().describe('dNSHostName; absent = <name lower-case>.<domain fqdn>; null = attribute not set'),
  distinguishedName: z.string().min(3).optional().describe('absent = CN=<name>,CN=Computers,<domain DN>'),
  userAccountControl: z.number().int().min(0).max(0xffffffff).default(4096).describe('e.g. 16781312 (0x1001000) = workstation trust + protocol transition'),
  allowedToDelegateTo: z
    .array(existingSpnSchema)
    .default([])
    .describe('msDS-AllowedToDelegateTo (classic KCD), as AD holds it: any service class, compared case-insensitively (CIFS/HV02 = cifs/HV02)'),
  servicePrincipalNames: z
    .array(anySpn)
    .optional()
    .describe('servicePrincipalName; absent = HOST/ short+FQDN, plus the migration service short+FQDN when the computer is a host'),
  supportedEncryptionTypes: z.number().int().min(0).max(0xffffffff).optional().describe('msDS-SupportedEncryptionTypes; absent = not set'),
  allowedToActOnBehalfOf: z.array(shortName).default([]).describe('RBCD: computers allowed to delegate to this one'),
});

const userSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]{1,20}$/, 'expected a sAMAccountName such as alice').describe('sAMAccountName'),
  upn: userIdSchema.optional().describe('userPrincipalName'),
  mail: userIdSchema.optional(),
  userAccountControl: z.number().int().min(0).max(0xffffffff).default(512).describe('0x100000 = sensitive, cannot be delegated'),
  memberOf: z.array(z.string().min(3)).default([]).describe('Group DNs (nested membership already expanded)'),
});

const migrationSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('VirtualMachineMigrationEnabled'),
    authenticationType: authenticationTypeSchema.default('Kerberos').describe('VirtualMachineMigrationAuthenticationType'),
    maxMigrations: z.number().int().min(0).default(2).describe('MaximumVirtualMachineMigrations'),
    performanceOption: z
      .enum(['TCPIP', 'Compression', 'SMB'])
      .optional()
      .describe('VirtualMachineMigrationPerformanceOption; SMB sends live migrations over SMB (needs cifs delegation); absent = not reported'),
  })
  .default({ enabled: true, authenticationType: 'Kerberos', maxMigrations: 2 });

const eventSchema = z.strictObject({
  log: z.string().min(1).max(200).default('Microsoft-Windows-Hyper-V-High-Availability-Admin'),
  id: z.number().int().min(0),
  time: isoTime,
  message: z.string().max(8000),
});

const hotfixSchema = z.strictObject({
  id: z.string().regex(/^KB\d{6,8}$/, 'expected a KB id such as KB5073381'),
  installedOn: isoDate.nullable().default(null).describe('InstalledOn (YYYY-MM-DD); null = unknown'),
});

const vmSchema = z.strictObject({
  name: vmNameSchema,
  state: z.string().min(1).max(40).default('Running'),
  clustered: z.boolean().optional().describe('IsClustered: the VM is a cluster role (the cluster can move it without the nodes\' KCD)'),
  storagePaths: z
    .array(z.string().min(1).max(400))
    .optional()
    .describe('Where the VM configuration and disks live; \\\\server\\share\\... means SMB storage (cifs delegation to that server)'),
});

export const siteNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'expected an AD site name such as Default-First-Site-Name');
export const DEFAULT_SITE = 'Default-First-Site-Name';

const hostSchema = z.strictObject({
  name: shortName.describe('Host name (short); its AD object is the computer of the same name'),
  os: z.string().min(1).max(200).default('Windows Server 2025'),
  reachable: z.boolean().default(true).describe('false: every host operation fails with HOST_UNREACHABLE'),
  clockOffsetSeconds: z.number().default(0).describe('Offset from the domain controller, + ahead, - behind'),
  credentialGuard: z.boolean().default(false).describe('Credential Guard configured and running'),
  migration: migrationSchema,
  addresses: z
    .array(ipAddress)
    .min(1)
    .optional()
    .describe("The host's own IP addresses (every adapter); absent = one address the lab assigns (10.0.0.11 for the first host, and so on)"),
  dns: z
    .record(
      z.string(),
      z.union([
        dnsName.nullable(),
        z.strictObject({
          addresses: z.array(ipAddress).min(1).describe('Every A/AAAA address the forward lookup returns'),
          ptr: dnsName.nullable().optional().describe('The name the first address reverses to (PTR); absent = the lab host owning it'),
        }),
      ]),
    )
    .optional()
    .describe(
      'What this host resolves a name to: an FQDN (the addresses of that host, PTR = that name), null (does not resolve), or {addresses, ptr}; names not listed resolve to their dNSHostName and its addresses',
    ),
  site: siteNameSchema.optional().describe('The AD site the host is in (the DCs it uses are those of its site); absent = not reported by host.security (the DC checks then count every DC, and the lab\'s KDC is one of Default-First-Site-Name)'),
  hotfixes: z.array(hotfixSchema).default([]),
  events: z.array(eventSchema).default([]),
  vms: z.array(vmSchema).default([]),
  virtualMachinesLogonRight: z
    .boolean()
    .default(true)
    .describe('NT VIRTUAL MACHINE\\Virtual Machines holds "Log on as a service" here; false (a hardening GPO removed it): moves into this host fail with 0x80070569'),
  ticketsStale: z
    .boolean()
    .default(false)
    .describe('Extension: the host holds Kerberos tickets from before a fix; test migrations fail until host.purge-tickets'),
});


const kdcEventSchema = z.strictObject({
  log: z.enum(['Security', 'System']).describe('Security: 4768/4769/4771 failures; System: KDC (Kdcsvc) events'),
  id: z.number().int().min(0),
  time: isoTime,
  status: z
    .enum(KDC_FAILURE_STATUSES)
    .optional()
    .describe('Security events: the Kerberos failure code (0xD KDC_ERR_BADOPTION, 0xE, 0xF, 0x12, 0x1B, 0x25 clock skew)'),
  account: z.string().max(400).optional().describe('TargetUserName: the account that asked, e.g. HV01$@LAB.TEST'),
  service: z.string().max(400).optional().describe('ServiceName: the service account or SPN asked for, e.g. HV03$'),
  transmittedServices: z.string().max(2000).optional().describe('TransmittedServices: set on an S4U2proxy request'),
  message: z.string().max(8000).default(''),
});

const dcDelegationSchema = z.strictObject({
  allowedToDelegateTo: z.array(existingSpnSchema).default([]),
  userAccountControl: z.number().int().min(0).max(0xffffffff).default(4096),
  allowedToActOnBehalfOf: z.array(shortName).default([]),
});

const domainControllerSchema = z.strictObject({
  name: shortName.describe('The DC computer name (its object has userAccountControl 0x2000)'),
  site: siteNameSchema.default(DEFAULT_SITE).describe('The AD site of its server object'),
  readOnly: z.boolean().default(false).describe('An RODC (0x4000000)'),
  reachable: z.boolean().default(true).describe('false: dc.* reads and its per-DC LDAP read fail'),
  hotfixes: z.array(hotfixSchema).default([]),
  kdcEvents: z.array(kdcEventSchema).default([]).describe('Security 4768/4769/4771 failures and System KDC events on this DC'),
  delegation: z
    .record(shortName, dcDelegationSchema)
    .default({})
    .describe('Computers whose delegation values this DC still holds differently (replication has not reached it); absent = as under computers'),
  lagReads: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(0)
    .describe('After a delegation write, this DC keeps its old values for this many directory.replication reads (replication latency)'),
});

const expectSchema = z
  .strictObject({
    nodes: z.array(shortName).min(2).describe('The nodes to check'),
    initiator: userIdSchema.optional().describe('The account starting the migration, when the check names one'),
    verdict: z.enum(['healthy', 'blocked', 'degraded', 'unknown']),
    rootCauses: z
      .array(z.enum(FINDING_CODES))
      .default([])
      .describe('Exactly the codes that block a direction (for an unknown verdict: that leave one unknown); order not significant'),
    codes: z.array(z.enum(FINDING_CODES)).default([]).describe('Exactly the distinct finding codes raised'),
    fixable: z.boolean().optional(),
    directions: z
      .array(z.strictObject({ from: shortName, to: shortName, status: z.enum(['ok', 'blocked', 'unknown']) }))
      .optional()
      .describe('Status of these directions (others unspecified)'),
  })
  .describe('Extension: the documented result of checking expect.nodes');

const scenarioObjectSchema = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().max(4000).optional().describe('Extension: what the scenario reproduces'),
  domain: domainSchema,
  clusters: z.array(clusterSchema).default([]),
  computers: z.array(computerSchema).default([]).describe('AD computer objects (hosts and any other account)'),
  users: z.array(userSchema).default([]).describe('AD users, for initiator and approver checks'),
  hosts: z.array(hostSchema).min(1),
  domainControllers: z
    .array(domainControllerSchema)
    .default([])
    .describe('Extension (issue 19): the domain controllers dc.list returns, with their KDC events, updates and per-DC delegation values; none = no DC evidence'),
  directory: z
    .strictObject({ reachable: z.boolean().default(true).describe('false: every directory operation fails') })
    .default({ reachable: true }),
  latency: z
    .strictObject({
      hostMs: z.number().int().min(0).max(60_000).default(0).describe('Injected before every host.*, cluster.* and vm.* operation'),
      directoryMs: z.number().int().min(0).max(60_000).default(0).describe('Injected before every directory.* operation'),
    })
    .default({ hostMs: 0, directoryMs: 0 }),
  expect: expectSchema.optional(),
});

export const scenarioSchema = scenarioObjectSchema
  .superRefine(crossCheckScenario)
  .meta({ title: 'triage-bot lab scenario', description: 'A domain and Hyper-V hosts the lab relay answers from (docs/lab-scenarios.md).' });

export type Scenario = z.output<typeof scenarioObjectSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioHost = Scenario['hosts'][number];
export type ScenarioComputer = Scenario['computers'][number];
export type ScenarioUser = Scenario['users'][number];
export type ScenarioDc = Scenario['domainControllers'][number];
export type ScenarioExpect = NonNullable<Scenario['expect']>;
