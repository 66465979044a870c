import type { Finding, FindingCode, Severity } from './findings.js';

// One constructor so every finding has the same key order in JSON and no undefined node/peer.
export function finding(
  code: FindingCode,
  severity: Severity,
  message: string,
  evidence: Record<string, unknown>,
  where: { node?: string; peer?: string } = {},
): Finding {
  return {
    code,
    severity,
    ...(where.node !== undefined ? { node: where.node } : {}),
    ...(where.peer !== undefined ? { peer: where.peer } : {}),
    message,
    evidence,
  };
}

/** `A, B and C` for messages. */
export function listText(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function arrow(from: string, to: string): string {
  return `${from} → ${to}`;
}
