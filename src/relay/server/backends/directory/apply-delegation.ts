import { Attribute, Change, NoSuchAttributeError, TypeOrValueExistsError } from 'ldapts';
import type { DelegationValues, OpParams, OpResult } from '../../../protocol.js';
import { RelayError } from '../../../protocol.js';
import type { DirectorySession } from './connection.js';
import { accountsFilter } from './filters.js';
import { findComputers, rbcdNames, resolveSids, type ComputerRecord } from './read-computers.js';
import { buffer, first } from './connection.js';
import { buildRbcdDescriptor } from './security-descriptor.js';
import { sidToString } from './sid.js';
import { shortName } from '../../../../kernel/node-name.js';

// directory.apply-delegation as compare-and-swap. Every computer is re-read first; if any one no
// longer holds the values the approved plan expected, NOTHING is written and CONFLICT carries the
// current values. Otherwise each computer gets ONE modify carrying all its changes, so no
// direction is left half-configured (docs/domain.md "The fix"), and every change in it is itself
// conditional: SPN values are added/deleted individually, userAccountControl and the RBCD
// descriptor are swapped by deleting the exact old value and adding the new one. If AD changed
// in the instant between our read and the modify, the DC rejects that modify as a whole.

type Params = OpParams<'directory.apply-delegation'>;
type Result = OpResult<'directory.apply-delegation'>;
type Change1 = Params['changes'][number];

/** The only userAccountControl bits this operation may change. */
const TRUSTED_FOR_DELEGATION = 0x80000;
const TRUSTED_TO_AUTH_FOR_DELEGATION = 0x1000000;
const DELEGATION_BITS = TRUSTED_FOR_DELEGATION | TRUSTED_TO_AUTH_FOR_DELEGATION;

const lower = (values: string[]): Set<string> => new Set(values.map((v) => v.toLowerCase()));

function sameSet(a: string[], b: string[]): boolean {
  const left = lower(a);
  const right = lower(b);
  return left.size === right.size && [...left].every((v) => right.has(v));
}

export interface WriteContext {
  session: DirectorySession;
  base: string;
  domainRoot: string;
  domainFqdn: string;
  /** Throws when the caller no longer waits (deadline passed, hung up): checked before the first modify. */
  stillWanted?: () => void;
}

interface Target {
  change: Change1;
  record: ComputerRecord;
}

async function read(ctx: WriteContext, names: string[]): Promise<{ targets: Map<string, ComputerRecord>; sidNames: Map<string, string> }> {
  const found = await findComputers(ctx.session, ctx.base, ctx.domainFqdn, names);
  if (found.notFound.length > 0) throw new RelayError('NOT_FOUND', `no computer object named ${found.notFound.join(', ')}; nothing was written`);
  const sidNames = await resolveSids(ctx.session, ctx.domainRoot, found.records.flatMap((r) => r.rbcdSids));
  return { targets: found.byName, sidNames };
}

function valuesOf(record: ComputerRecord, sidNames: Map<string, string>): Required<DelegationValues> {
  return {
    allowedToDelegateTo: [...record.allowedToDelegateTo],
    userAccountControl: record.userAccountControl,
    allowedToActOnBehalfOf: rbcdNames(record, sidNames),
  };
}

/**
 * before/after as the protocol returns them: RBCD only when the change was about RBCD. An RBCD
 * list we were not asked about may name users or orphaned SIDs, which are not host names; the
 * CAS check guarantees that one we were asked about holds only computers.
 */
function reported(record: ComputerRecord, sidNames: Map<string, string>, change: Change1): DelegationValues {
  const { allowedToActOnBehalfOf, ...kcd } = valuesOf(record, sidNames);
  return change.expected.allowedToActOnBehalfOf ? { ...kcd, allowedToActOnBehalfOf } : kcd;
}

function stale(t: Target, sidNames: Map<string, string>): string[] {
  const { expected } = t.change;
  const diffs: string[] = [];
  if (!sameSet(t.record.allowedToDelegateTo, expected.allowedToDelegateTo)) diffs.push('msDS-AllowedToDelegateTo');
  if (t.record.userAccountControl !== expected.userAccountControl) diffs.push('userAccountControl');
  if (expected.allowedToActOnBehalfOf && !sameSet(rbcdNames(t.record, sidNames), expected.allowedToActOnBehalfOf)) {
    diffs.push('msDS-AllowedToActOnBehalfOfOtherIdentity');
  }
  return diffs;
}

/** The SIDs of the computers a desired RBCD list names, in one search; unknown names are refused. */
async function grantees(ctx: WriteContext, changes: Change1[]): Promise<Map<string, string>> {
  const names = [...new Set(changes.flatMap((c) => c.desired.allowedToActOnBehalfOf ?? []).map((n) => `${shortName(n)}$`))];
  const sids = new Map<string, string>();
  if (names.length === 0) return sids;
  const entries = await ctx.session.search('resolve RBCD grantees', ctx.domainRoot, accountsFilter(names), ['sAMAccountName', 'objectSid'], ['objectSid']);
  for (const e of entries) {
    const sid = buffer(e, 'objectSid');
    const sam = first(e, 'sAMAccountName');
    if (sid && sam) sids.set(sam.toUpperCase(), sidToString(sid));
  }
  const unknown = names.filter((n) => !sids.has(n.toUpperCase()));
  if (unknown.length > 0) throw new RelayError('BAD_REQUEST', `cannot grant RBCD to ${unknown.map((n) => n.slice(0, -1)).join(', ')}: no computer object of that name`);
  return sids;
}

interface Modify {
  forward: Change[];
  /** Undoes `forward` on an object that holds exactly what `forward` wrote. */
  inverse: Change[];
}

function modification(t: Target, sidNames: Map<string, string>, granteeSids: Map<string, string>): Modify {
  const { desired } = t.change;
  const forward: Change[] = [];
  const inverse: Change[] = [];
  const swap = (type: string, remove: string[] | Buffer[], add: string[] | Buffer[]): void => {
    const mod = (operation: 'add' | 'delete', values: string[] | Buffer[]): Change => new Change({ operation, modification: new Attribute({ type, values }) });
    if (remove.length > 0) forward.push(mod('delete', remove));
    if (add.length > 0) forward.push(mod('add', add));
    if (add.length > 0) inverse.push(mod('delete', add));
    if (remove.length > 0) inverse.push(mod('add', remove));
  };
  const want = lower(desired.allowedToDelegateTo);
  const have = lower(t.record.allowedToDelegateTo);
  swap(
    'msDS-AllowedToDelegateTo',
    t.record.allowedToDelegateTo.filter((v) => !want.has(v.toLowerCase())),
    [...new Map(desired.allowedToDelegateTo.filter((v) => !have.has(v.toLowerCase())).map((v) => [v.toLowerCase(), v])).values()],
  );
  if (desired.userAccountControl !== t.record.userAccountControl) {
    swap('userAccountControl', [String(t.record.userAccountControl)], [String(desired.userAccountControl)]);
  }
  const rbcd = desired.allowedToActOnBehalfOf;
  if (rbcd && !sameSet(rbcd, rbcdNames(t.record, sidNames))) {
    const sids = [...new Set(rbcd.map((n) => granteeSids.get(`${shortName(n)}$`)!))];
    swap('msDS-AllowedToActOnBehalfOfOtherIdentity', t.record.rbcd ? [t.record.rbcd] : [], sids.length > 0 ? [buildRbcdDescriptor(sids)] : []);
  }
  return { forward, inverse };
}

function checkRequest(params: Params): void {
  const names = params.changes.map((c) => shortName(c.computer));
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new RelayError('BAD_REQUEST', `${twice} appears more than once in the change`);
  for (const c of params.changes) {
    if (c.desired.allowedToActOnBehalfOf && !c.expected.allowedToActOnBehalfOf) {
      throw new RelayError('BAD_REQUEST', `${c.computer}: a change of RBCD (allowedToActOnBehalfOf) must also say which principals it expects now`);
    }
    if (((c.desired.userAccountControl ^ c.expected.userAccountControl) & ~DELEGATION_BITS) !== 0) {
      throw new RelayError('BAD_REQUEST', `${c.computer}: a delegation fix may change only the delegation bits of userAccountControl (0x80000, 0x1000000)`);
    }
  }
}

export async function applyDelegation(ctx: WriteContext, params: Params): Promise<Result> {
  checkRequest(params);
  const names = params.changes.map((c) => c.computer);
  const before = await read(ctx, names);
  const targets: Target[] = params.changes.map((change) => ({ change, record: before.targets.get(change.computer)! }));
  const current = () => targets.map((t) => ({ computer: t.record.name, ...valuesOf(t.record, before.sidNames) }));
  const changed = targets.map((t) => ({ t, diffs: stale(t, before.sidNames) })).filter((x) => x.diffs.length > 0);
  if (changed.length > 0) {
    const what = changed.map((x) => `${x.t.record.name} (${x.diffs.join(', ')})`).join('; ');
    throw new RelayError('CONFLICT', `the delegation in AD changed since the plan was made: ${what}; nothing was written`, { current: current() });
  }
  const granteeSids = await grantees(ctx, params.changes);
  ctx.stillWanted?.();
  const written: Array<{ target: Target; inverse: Change[] }> = [];
  for (const t of targets) {
    const { forward, inverse } = modification(t, before.sidNames, granteeSids);
    if (forward.length === 0) continue;
    try {
      await ctx.session.client.modify(t.record.dn, forward);
      written.push({ target: t, inverse });
    } catch (err) {
      const undone = await rollBack(ctx, written);
      throw await writeFailure(ctx, t, names, undone, err);
    }
  }
  const after = await read(ctx, names);
  return {
    applied: targets.map((t) => ({
      computer: t.record.name,
      before: reported(t.record, before.sidNames, t.change),
      after: reported(after.targets.get(t.change.computer)!, after.sidNames, t.change),
    })),
  };
}

/**
 * A later computer's modify failed: undo the earlier ones (newest first), each itself
 * conditional, so the fix is all-or-nothing as far as the DC lets us. Returns what could not be undone.
 */
async function rollBack(ctx: WriteContext, written: Array<{ target: Target; inverse: Change[] }>): Promise<{ undone: string[]; stuck: string[] }> {
  const undone: string[] = [];
  const stuck: string[] = [];
  for (const w of [...written].reverse()) {
    try {
      await ctx.session.client.modify(w.target.record.dn, w.inverse);
      undone.push(w.target.record.name);
    } catch {
      stuck.push(w.target.record.name);
    }
  }
  return { undone, stuck };
}

/** A modify the DC refused: a value changed underneath us (CONFLICT) or something else. */
async function writeFailure(ctx: WriteContext, t: Target, names: string[], r: { undone: string[]; stuck: string[] }, err: unknown): Promise<RelayError> {
  let outcome = ' Nothing was written.';
  if (r.undone.length > 0) outcome = ` ${r.undone.join(', ')} had been written and was rolled back.`;
  if (r.stuck.length > 0) outcome += ` ${r.stuck.join(', ')} was written and could NOT be rolled back: re-read before retrying.`;
  const details = { written: r.stuck, rolledBack: r.undone };
  if (err instanceof NoSuchAttributeError || err instanceof TypeOrValueExistsError) {
    const now = await read(ctx, names).catch(() => null);
    const current = now ? names.map((n) => ({ computer: now.targets.get(n)!.name, ...valuesOf(now.targets.get(n)!, now.sidNames) })) : [];
    return new RelayError('CONFLICT', `${t.record.name} changed in AD while the fix was being written, so the DC refused its change.${outcome}`, { current, ...details });
  }
  const e = ctx.session.failure(`change the delegation of ${t.record.name}`, err);
  return new RelayError(e.code, `${e.message}.${outcome}`, details);
}
