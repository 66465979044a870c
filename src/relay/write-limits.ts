import { shortName } from '../kernel/node-name.js';
import type { RelayBackend } from './backend.js';
import { isDomainControllerUac, MIGRATION_SERVICE, RelayError, spnHost, type Computer, type OperationName } from './protocol.js';

// The write limits that need AD (docs/relay-protocol.md §5): every computer a write touches, every
// host an added delegation SPN points at and every principal RBCD newly grants must be a Hyper-V
// host (its own `Microsoft Virtual System Migration Service/` SPN) and not a domain controller.
// One exception, because the fix needs it: an added `cifs/` SPN may also name a file server that
// holds VM storage (a Scale-Out File Server; docs/domain.md, "cifs and SMB"), i.e. any computer
// that is not a DC. The relay cannot see where VMs keep their disks, so that is the limit.
// The relay asks its own backend (`directory.computers`), so lab, lab-directory and windows+LDAP
// enforce the same thing; what the schema can judge alone is in protocol.ts (withinWriteLimits).
// Limit: the facts are read just before the write, not inside it; SPNs of a computer are not in
// the compare-and-swap, so a change of them in between is not seen (only an AD admin can make it).

const MIGRATION_PREFIX = `${MIGRATION_SERVICE.toLowerCase()}/`;

/** A Hyper-V host carries the migration service SPN for its own short name or DNS name. */
export function isHyperVHost(c: Computer): boolean {
  const own = new Set([c.name.toLowerCase(), shortName(c.name).toLowerCase(), ...(c.dnsHostName ? [c.dnsHostName.toLowerCase()] : [])]);
  return c.servicePrincipalNames.some((spn) => {
    const v = spn.toLowerCase();
    return v.startsWith(MIGRATION_PREFIX) && own.has(v.slice(MIGRATION_PREFIX.length));
  });
}

interface Subject {
  /** The name as the request gave it. */
  name: string;
  role: string;
  /** For SPN hosts: the host part must be this computer's short or DNS name. */
  host?: string;
  /** A cifs/ SPN's host: a file server (not a DC) is allowed as well as a Hyper-V host. */
  fileServer?: boolean;
}

/** Everything a write names that must be a Hyper-V host. Reads name nothing. */
export function subjectsOf(op: OperationName, params: Record<string, unknown>): Subject[] {
  switch (op) {
    case 'directory.apply-delegation': {
      const changes = params.changes as Array<{ computer: string; expected: { allowedToDelegateTo: string[]; allowedToActOnBehalfOf?: string[] }; desired: { allowedToDelegateTo: string[]; allowedToActOnBehalfOf?: string[] } }>;
      return changes.flatMap((c): Subject[] => {
        const had = new Set(c.expected.allowedToDelegateTo.map((v) => v.toLowerCase()));
        const granted = new Set((c.expected.allowedToActOnBehalfOf ?? []).map(shortName));
        const spns = c.desired.allowedToDelegateTo.filter((v) => !had.has(v.toLowerCase()));
        const grants = (c.desired.allowedToActOnBehalfOf ?? []).filter((n) => !granted.has(shortName(n)));
        return [
          { name: c.computer, role: 'the computer to change' },
          ...spns.map((spn) => ({ name: spnHost(spn) ?? spn, role: `the host of the added SPN ${spn}`, host: spnHost(spn), fileServer: spn.toLowerCase().startsWith('cifs/') })),
          ...grants.map((g) => ({ name: g, role: 'an RBCD grantee' })),
        ];
      });
    }
    case 'host.purge-tickets':
    case 'host.set-migration-auth':
      return [{ name: String(params.node), role: 'the node to change' }];
    case 'vm.test-migration':
      return [
        { name: String(params.source), role: 'the migration source' },
        { name: String(params.destination), role: 'the migration destination' },
      ];
    default:
      return [];
  }
}

function problemOf(subject: Subject, c: Computer | undefined): string | undefined {
  if (!c) return `${subject.name} (${subject.role}) has no computer object in AD`;
  if (isDomainControllerUac(c.userAccountControl)) return `${c.name} (${subject.role}) is a domain controller`;
  if (!isHyperVHost(c) && !subject.fileServer) return `${c.name} (${subject.role}) is not a Hyper-V host (no ${MIGRATION_SERVICE}/ SPN of its own)`;
  if (subject.host !== undefined) {
    const h = subject.host.toLowerCase();
    if (h !== shortName(c.name).toLowerCase() && h !== c.dnsHostName?.toLowerCase()) return `${subject.role} does not name ${c.name} by its short or DNS name`;
  }
  return undefined;
}

/**
 * Throws RelayError FORBIDDEN when a write reaches outside the Hyper-V hosts; the backend's own
 * error (DIRECTORY_UNREACHABLE, ...) when AD cannot be read, so a write never runs unchecked.
 */
export async function enforceWriteLimits(op: OperationName, params: Record<string, unknown>, backend: RelayBackend, signal?: AbortSignal): Promise<void> {
  const subjects = subjectsOf(op, params);
  if (subjects.length === 0) return;
  // Host writes on a relay without AD (a windows backend on its own, as some tests start it) are
  // limited by where the JEA write role is registered: only on Hyper-V nodes (manifests/jea).
  // Every relay triage-relay starts has the directory, so there the check always runs.
  if (op !== 'directory.apply-delegation' && !backend.supports('directory.computers')) return;
  if (!backend.supports('directory.computers')) {
    throw new RelayError('FORBIDDEN', `write refused: the ${backend.name} backend cannot read AD, so the relay cannot check that ${op} touches only Hyper-V hosts; nothing was changed`);
  }
  const names = [...new Set(subjects.map((s) => shortName(s.name)))];
  const found = new Map<string, Computer>();
  for (let i = 0; i < names.length; i += 512) {
    const answer = await backend.handle('directory.computers', { names: names.slice(i, i + 512) }, { signal, purpose: 'write-limits' });
    for (const c of answer.computers) found.set(shortName(c.name), c);
  }
  const problems = [...new Set(subjects.map((s) => problemOf(s, found.get(shortName(s.name)))).filter((p): p is string => p !== undefined))];
  if (problems.length > 0) {
    const shown = problems.slice(0, 3).join('; ') + (problems.length > 3 ? ` (and ${problems.length - 3} more)` : '');
    throw new RelayError('FORBIDDEN', `write refused by the relay's write limits: ${shown}; nothing was changed`);
  }
}
