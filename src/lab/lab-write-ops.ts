import { RelayError, type DelegationValues, type OpParams, type OpResult } from '../relay/protocol.js';
import { afterWrite } from './lab-dc-ops.js';
import type { LabComputer, LabState } from './lab-state.js';

// Writes change the lab state, with the same compare-and-swap contract as the real backends:
// if any computer's current values differ from what the plan expected, nothing is written and
// CONFLICT carries the current values so the caller can make a fresh plan. The approval token
// was already checked by the relay server; the lab ignores it.

export function applyDelegation(state: LabState, p: OpParams<'directory.apply-delegation'>): OpResult<'directory.apply-delegation'> {
  state.requireDirectory();
  const targets = p.changes.map((change) => {
    const computer = state.findComputer(change.computer);
    if (!computer) throw new RelayError('NOT_FOUND', `no computer object named ${change.computer}`);
    for (const grantee of change.desired.allowedToActOnBehalfOf ?? []) {
      if (!state.findComputer(grantee)) throw new RelayError('BAD_REQUEST', `cannot grant RBCD to ${grantee}: no computer object of that name`);
    }
    return { change, computer };
  });
  const names = targets.map((t) => t.computer.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new RelayError('BAD_REQUEST', `${twice} appears more than once in the change`);

  const stale = targets.filter((t) => !matches(t.computer, t.change.expected));
  if (stale.length > 0) {
    throw new RelayError(
      'CONFLICT',
      `the delegation of ${stale.map((t) => t.computer.name).join(', ')} changed since the plan was made; nothing was written`,
      { current: targets.map((t) => ({ computer: t.computer.name, ...state.delegationOf(t.computer) })) },
    );
  }
  const applied = targets.map(({ change, computer }) => {
    const before = state.delegationOf(computer);
    computer.allowedToDelegateTo = [...change.desired.allowedToDelegateTo];
    computer.userAccountControl = change.desired.userAccountControl;
    if (change.desired.allowedToActOnBehalfOf) computer.allowedToActOnBehalfOf = [...change.desired.allowedToActOnBehalfOf];
    return { computer: computer.name, before, after: state.delegationOf(computer), written: computer };
  });
  afterWrite(state, applied.map((a) => ({ computer: a.written, before: a.before })));
  return { applied: applied.map(({ computer, before, after }) => ({ computer, before, after })) };
}

/** `klist -li 0x3e7 purge`: the host's next tickets are issued under the current delegation. */
export function purgeTickets(state: LabState, p: OpParams<'host.purge-tickets'>): OpResult<'host.purge-tickets'> {
  const host = state.reachableHost(p.node);
  host.ticketsStale = false;
  return { purged: true };
}

export function setMigrationAuth(state: LabState, p: OpParams<'host.set-migration-auth'>): OpResult<'host.set-migration-auth'> {
  const host = state.reachableHost(p.node);
  const before = host.migration.authenticationType;
  if (before !== p.expected) {
    throw new RelayError('CONFLICT', `${host.name} uses ${before}, not ${p.expected} as the plan expected; nothing was written`, {
      current: before,
    });
  }
  host.migration.authenticationType = p.authenticationType;
  return { before, after: p.authenticationType };
}

/** Multi-valued attributes are unordered and compare case-insensitively, as in AD. */
function matches(c: LabComputer, expected: DelegationValues): boolean {
  if (c.userAccountControl !== expected.userAccountControl) return false;
  if (!sameSet(c.allowedToDelegateTo, expected.allowedToDelegateTo)) return false;
  return expected.allowedToActOnBehalfOf === undefined || sameSet(c.allowedToActOnBehalfOf, expected.allowedToActOnBehalfOf);
}

function sameSet(a: string[], b: string[]): boolean {
  const left = new Set(a.map((v) => v.toLowerCase()));
  const right = new Set(b.map((v) => v.toLowerCase()));
  return left.size === right.size && [...left].every((v) => right.has(v));
}
