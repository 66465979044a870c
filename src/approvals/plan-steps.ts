import { sameHost } from '../kernel/node-name.js';
import type { Computer } from '../relay/protocol.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import type { Remediation } from './plan-document.js';
import { holds } from './settle.js';

// The steps of a plan, as data, and how to observe whether each one holds in the world. A step is
// what the journal records and the card lists: the AD write (one compare-and-swap for all
// computers), each host's authentication change, each host's ticket purge. Observation reads AD
// and the hosts back: it is how recovery decides to skip, re-run or stop at a step, and how an
// apply proves every step before it says "Applied".

export type WriteOp = 'directory.apply-delegation' | 'host.set-migration-auth' | 'host.purge-tickets';

export type Delegation = Remediation['delegation'][number];
export type AuthChange = Remediation['migrationAuth'][number];

export type StepSpec =
  | { key: string; op: 'directory.apply-delegation'; target: string; changes: Delegation[] }
  | { key: string; op: 'host.set-migration-auth'; target: string; change: AuthChange }
  | { key: string; op: 'host.purge-tickets'; target: string };

export function planSteps(r: Remediation): StepSpec[] {
  const steps: StepSpec[] = [];
  if (r.delegation.length > 0) steps.push({ key: 'directory.apply-delegation', op: 'directory.apply-delegation', target: r.delegation.map((c) => c.computer).join(', '), changes: r.delegation });
  for (const change of r.migrationAuth) steps.push({ key: `host.set-migration-auth:${change.node}`, op: 'host.set-migration-auth', target: change.node, change });
  for (const node of r.purgeTickets) steps.push({ key: `host.purge-tickets:${node}`, op: 'host.purge-tickets', target: node });
  return steps;
}

/** What a step's target holds now: the planned values, the values from before, something else. */
export type Seen = 'desired' | 'expected' | 'neither';

export type Observation =
  | { readable: true; seen: Seen; detail: string; perTarget: Array<{ target: string; seen: Seen }> }
  | { readable: false; detail: string };

const REQUESTER = 'triage-bot verification';

export async function observeDelegation(deps: ApprovalsDeps, changes: Delegation[]): Promise<Observation> {
  let computers: Computer[];
  try {
    computers = (await deps.relay.call('directory.computers', { names: changes.map((c) => c.computer) }, { requester: REQUESTER })).computers;
  } catch (err) {
    return { readable: false, detail: `AD could not be read: ${(err as Error).message}` };
  }
  const perTarget = changes.map((change) => {
    const c = computers.find((x) => sameHost(x.name, change.computer));
    const seen: Seen = !c ? 'neither' : holds(c, change.desired) ? 'desired' : holds(c, change.expected) ? 'expected' : 'neither';
    return { target: change.computer, seen };
  });
  const all = (s: Seen) => perTarget.every((p) => p.seen === s);
  const seen: Seen = all('desired') ? 'desired' : all('expected') ? 'expected' : 'neither';
  const detail = seen === 'desired'
    ? 'AD holds the planned values on every computer'
    : seen === 'expected'
      ? 'AD still holds the values from before the plan on every computer'
      : `AD holds neither the values from before nor the planned values (${perTarget.map((p) => `${p.target}: ${label(p.seen)}`).join('; ')})`;
  return { readable: true, seen, detail, perTarget };
}

export async function observeAuth(deps: ApprovalsDeps, change: AuthChange): Promise<Observation> {
  try {
    const s = await deps.relay.call('host.migration-settings', { node: change.node }, { requester: REQUESTER });
    const seen: Seen = s.authenticationType === change.desired ? 'desired' : s.authenticationType === change.expected ? 'expected' : 'neither';
    return { readable: true, seen, detail: `${change.node} uses ${s.authenticationType}`, perTarget: [{ target: change.node, seen }] };
  } catch (err) {
    return { readable: false, detail: `${change.node}'s migration settings could not be read: ${(err as Error).message}` };
  }
}

/** Observes a step's effect; a ticket purge leaves nothing to read back (null). */
export function observe(deps: ApprovalsDeps, step: StepSpec): Promise<Observation> | null {
  if (step.op === 'directory.apply-delegation') return observeDelegation(deps, step.changes);
  if (step.op === 'host.set-migration-auth') return observeAuth(deps, step.change);
  return null;
}

function label(seen: Seen): string {
  return seen === 'desired' ? 'planned values' : seen === 'expected' ? 'values from before' : 'other values';
}
