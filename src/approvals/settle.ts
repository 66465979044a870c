import type { Computer } from '../relay/protocol.js';
import type { Remediation } from './plan-document.js';

// Whether a computer holds a set of delegation values (the planned ones, or those from before),
// compared as AD compares them: multi-valued attributes unordered and case-insensitive.

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
