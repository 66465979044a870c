// Limits on JSON the relay reads and writes. A body nested thousands deep parses, but every
// recursive walk after that (zod, JSON.stringify for the audit line) can overflow the stack: the
// depth is measured on the text first, in one pass without recursion, and such a body is a 400.

/** Deepest nesting a v1 request needs is 5 (changes[0].expected.allowedToDelegateTo[0]). */
export const MAX_BODY_DEPTH = 32;

/** True when the JSON text nests arrays/objects deeper than `limit`. Strings are skipped. */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) {
      inString = true;
    } else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > limit) return true;
    } else if (ch === 0x5d || ch === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** Audit lines keep parameters to this depth; deeper values become "[nested]". */
export const AUDIT_MAX_DEPTH = 8;
/** Audit lines keep strings to this length, then "…[+N chars]". */
export const AUDIT_MAX_STRING = 1024;
/** Audit lines keep at most this many array items or object keys per level. */
export const AUDIT_MAX_ITEMS = 600;

/** A copy of `value` that is safe and small enough to write into an audit line. */
export function capForAudit(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > AUDIT_MAX_STRING ? `${value.slice(0, AUDIT_MAX_STRING)}…[+${value.length - AUDIT_MAX_STRING} chars]` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= AUDIT_MAX_DEPTH) return '[nested]';
  if (Array.isArray(value)) {
    const items = value.slice(0, AUDIT_MAX_ITEMS).map((v) => capForAudit(v, depth + 1));
    if (value.length > AUDIT_MAX_ITEMS) items.push(`[+${value.length - AUDIT_MAX_ITEMS} items]`);
    return items;
  }
  const out: Record<string, unknown> = {};
  const entries = Object.entries(value);
  for (const [k, v] of entries.slice(0, AUDIT_MAX_ITEMS)) out[k.slice(0, 128)] = capForAudit(v, depth + 1);
  if (entries.length > AUDIT_MAX_ITEMS) out['[more]'] = `[+${entries.length - AUDIT_MAX_ITEMS} keys]`;
  return out;
}
