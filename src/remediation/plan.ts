import { MIGRATION_SERVICE, type AuthenticationType, type Computer, type DelegationValues, type MigrationSettings } from '../relay/protocol.js';
import { UAC } from '../diagnostics/flags.js';
import { sameHost, shortName } from '../kernel/node-name.js';

// The delegation fix as data (docs/domain.md "The fix"), computed by pure functions: for every ordered pair
// (S, D) of the nodes, S may delegate to the migration service and cifs of D in short and FQDN
// form, with protocol transition on and unconstrained delegation off; or, in RBCD mode, every
// destination grants every source. Only values that are missing are added; nothing that exists
// is removed, so the plan never takes away a delegation someone else relies on.

export type RemediationMode = 'kcd' | 'rbcd';

export interface DelegationChange {
  computer: string;
  expected: DelegationValues;
  desired: DelegationValues;
  /** msDS-AllowedToDelegateTo values to add (KCD) or principals to grant (RBCD). */
  add: string[];
}

export interface AuthChange {
  node: string;
  expected: AuthenticationType;
  desired: AuthenticationType;
}

export interface RemediationPlan {
  mode: RemediationMode;
  nodes: string[];
  domainFqdn: string;
  delegation: DelegationChange[];
  migrationAuth: AuthChange[];
  /** Nodes whose machine tickets are purged after the write, so the change takes effect now. */
  purgeTickets: string[];
}

export interface PlanInput {
  nodes: string[];
  domainFqdn: string;
  computers: Computer[];
  /** Migration settings per node, where they could be read. */
  migration: Record<string, MigrationSettings | undefined>;
  mode: RemediationMode;
  includeCifs: boolean;
  /**
   * Whether the plan may write delegation at all: only when a delegation finding blocks a
   * direction (`delegationBlocks`). False leaves only the migration authentication changes.
   */
  writeDelegation?: boolean;
  /**
   * File servers whose SMB shares hold each node's VMs (short and FQDN): the node also delegates to
   * their cifs, and only those nodes do (docs/domain.md "cifs and SMB"). KCD mode, with includeCifs.
   */
  smbServers?: Record<string, Array<{ short: string; fqdn: string }>>;
}

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

export function fqdnOf(computer: Computer, domainFqdn: string): string {
  return computer.dnsHostName ?? `${computer.name.toLowerCase()}.${domainFqdn}`;
}

/** The SPNs source S needs for destination D (4 values with cifs, 2 without). */
export function requiredSpns(destination: Computer, domainFqdn: string, includeCifs: boolean): string[] {
  const names = [shortName(destination.name), fqdnOf(destination, domainFqdn)];
  const classes = includeCifs ? [MIGRATION_SERVICE, 'cifs'] : [MIGRATION_SERVICE];
  return classes.flatMap((cls) => names.map((n) => `${cls}/${n}`));
}

export function currentValues(c: Computer, mode: RemediationMode): DelegationValues {
  return {
    allowedToDelegateTo: [...c.allowedToDelegateTo],
    userAccountControl: c.userAccountControl,
    ...(mode === 'rbcd' ? { allowedToActOnBehalfOf: [...c.allowedToActOnBehalfOf] } : {}),
  };
}

const lower = (values: string[]) => new Set(values.map((v) => v.toLowerCase()));

function kcdChange(source: Computer, peers: Computer[], input: PlanInput): DelegationChange | undefined {
  const have = lower(source.allowedToDelegateTo);
  const node = input.nodes.find((n) => sameHost(n, source.name));
  const shares = input.includeCifs && node ? (input.smbServers?.[node] ?? []).flatMap((f) => [`cifs/${f.short}`, `cifs/${f.fqdn}`]) : [];
  const wanted = [...peers.flatMap((d) => requiredSpns(d, input.domainFqdn, input.includeCifs)), ...shares];
  const add = [...new Map(wanted.map((spn) => [spn.toLowerCase(), spn])).values()].filter((spn) => !have.has(spn.toLowerCase()));
  const uac = ((source.userAccountControl | UAC.TRUSTED_TO_AUTH_FOR_DELEGATION) & ~UAC.TRUSTED_FOR_DELEGATION) >>> 0;
  if (add.length === 0 && uac === source.userAccountControl) return undefined;
  const expected = currentValues(source, 'kcd');
  return { computer: source.name, expected, desired: { allowedToDelegateTo: [...expected.allowedToDelegateTo, ...add], userAccountControl: uac }, add };
}

function rbcdChange(destination: Computer, peers: Computer[]): DelegationChange | undefined {
  const have = lower(destination.allowedToActOnBehalfOf);
  const add = peers.map((s) => shortName(s.name)).filter((name) => !have.has(name.toLowerCase()));
  if (add.length === 0) return undefined;
  const expected = currentValues(destination, 'rbcd');
  return { computer: destination.name, expected, desired: { ...expected, allowedToActOnBehalfOf: [...expected.allowedToActOnBehalfOf!, ...add] }, add };
}

export function planRemediation(input: PlanInput): RemediationPlan {
  const computers = input.nodes.map((node) => {
    const c = input.computers.find((x) => sameHost(x.name, node));
    if (!c) throw new PlanError(`no computer object for ${node} in ${input.domainFqdn}: a fix cannot be planned for it`);
    return c;
  });
  const delegation = input.writeDelegation === false ? [] : computers
    .map((c) => {
      const peers = computers.filter((p) => p !== c);
      return input.mode === 'kcd' ? kcdChange(c, peers, input) : rbcdChange(c, peers);
    })
    .filter((x): x is DelegationChange => x !== undefined);
  const migrationAuth = input.nodes
    .filter((node) => input.migration[node]?.authenticationType === 'CredSSP')
    .map((node) => ({ node, expected: 'CredSSP' as const, desired: 'Kerberos' as const }));
  return { mode: input.mode, nodes: input.nodes, domainFqdn: input.domainFqdn, delegation, migrationAuth, purgeTickets: [...input.nodes] };
}

export function isEmptyPlan(plan: RemediationPlan): boolean {
  return plan.delegation.length === 0 && plan.migrationAuth.length === 0;
}

/**
 * The plan that undoes an applied plan: restore every snapshot value exactly, except
 * userAccountControl, which stays as the fix left it. The relay refuses any change of it but
 * setting 0x1000000 and clearing 0x80000 (docs/relay-protocol.md §5), so a rollback cannot clear
 * protocol transition or give a host unconstrained delegation back; an admin can, by hand.
 */
export function rollbackPlan(plan: RemediationPlan, snapshot: { delegation: DelegationChange[]; migrationAuth: AuthChange[] }): RemediationPlan {
  const same = (a: DelegationValues, b: DelegationValues): boolean => JSON.stringify(a) === JSON.stringify(b);
  return {
    ...plan,
    delegation: snapshot.delegation
      .map((c) => ({ computer: c.computer, expected: c.desired, desired: { ...c.expected, userAccountControl: c.desired.userAccountControl }, add: [] }))
      .filter((c) => !same(c.expected, c.desired)),
    migrationAuth: snapshot.migrationAuth.map((a) => ({ node: a.node, expected: a.desired, desired: a.expected })),
  };
}
