import type { Computer } from '../relay/protocol.js';
import { sameHost } from '../core/node-name.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import type { Remediation } from './plan-document.js';

// What AD says about a plan whose write may or may not have happened (the bot stopped during
// `applying`, or the relay call timed out): read the computers and compare with the plan's
// values. Never re-applies; the caller settles the plan from the answer.

export type Settlement =
  | { found: 'desired' | 'expected' | 'neither'; detail: string }
  | { found: 'unreadable'; detail: string };

type Values = Remediation['delegation'][number]['expected'];

const lower = (v: string[]) => new Set(v.map((x) => x.toLowerCase()));
function sameSet(a: string[], b: string[]): boolean {
  const l = lower(a);
  const r = lower(b);
  return l.size === r.size && [...l].every((x) => r.has(x));
}

export function holds(c: Computer, v: Values): boolean {
  if (c.userAccountControl !== v.userAccountControl || !sameSet(c.allowedToDelegateTo, v.allowedToDelegateTo)) return false;
  return v.allowedToActOnBehalfOf === undefined || sameSet(c.allowedToActOnBehalfOf, v.allowedToActOnBehalfOf);
}

export async function readSettlement(deps: ApprovalsDeps, remediation: Remediation): Promise<Settlement> {
  if (remediation.delegation.length === 0) return readAuthSettlement(deps, remediation);
  let computers: Computer[];
  try {
    const names = remediation.delegation.map((c) => c.computer);
    computers = (await deps.relay.call('directory.computers', { names }, { requester: 'triage-bot recovery' })).computers;
  } catch (err) {
    return { found: 'unreadable', detail: (err as Error).message };
  }
  const states = remediation.delegation.map((change) => {
    const c = computers.find((x) => sameHost(x.name, change.computer));
    if (!c) return 'neither';
    if (holds(c, change.desired)) return 'desired';
    return holds(c, change.expected) ? 'expected' : 'neither';
  });
  if (states.every((s) => s === 'desired')) return { found: 'desired', detail: 'AD holds the planned values on every computer' };
  if (states.every((s) => s === 'expected')) return { found: 'expected', detail: 'AD still holds the values from before the plan on every computer' };
  const which = remediation.delegation.map((c, i) => `${c.computer}: ${states[i] === 'neither' ? 'other values' : states[i] === 'desired' ? 'planned values' : 'values from before'}`);
  return { found: 'neither', detail: `AD holds neither the values from before nor the planned values (${which.join('; ')})` };
}

async function readAuthSettlement(deps: ApprovalsDeps, remediation: Remediation): Promise<Settlement> {
  try {
    const found = await Promise.all(remediation.migrationAuth.map(async (a) => {
      const s = await deps.relay.call('host.migration-settings', { node: a.node }, { requester: 'triage-bot recovery' });
      return s.authenticationType === a.desired ? 'desired' : s.authenticationType === a.expected ? 'expected' : 'neither';
    }));
    if (found.every((f) => f === 'desired')) return { found: 'desired', detail: 'every node uses the planned authentication type' };
    if (found.every((f) => f === 'expected')) return { found: 'expected', detail: 'every node still uses the authentication type from before' };
    return { found: 'neither', detail: 'some nodes use the planned authentication type and some do not' };
  } catch (err) {
    return { found: 'unreadable', detail: (err as Error).message };
  }
}
