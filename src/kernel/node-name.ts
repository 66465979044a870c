import { z } from 'zod';

// Host names as the CLI, chat commands and the relay all accept them: a NetBIOS name (at most
// 15 characters) or a DNS name (at most 253), letters, digits, hyphens and dots only. Anything
// else never reaches PowerShell or LDAP, so this one rule is the first line of the relay's defence.
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Every well-formed name matches this; the checks below only run to say what is wrong. */
const WELL_FORMED = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function nodeNameProblem(raw: string): string | undefined {
  // Fast path (a 64-node check validates ~12,000 names in its DNS answers): one regex, no split.
  if (raw.length <= 253 && WELL_FORMED.test(raw) && (raw.length <= 15 || raw.includes('.'))) return undefined;
  if (raw.length === 0) return 'is empty';
  if (raw.length > 253) return 'is longer than 253 characters';
  if (!/^[A-Za-z0-9.-]+$/.test(raw)) return 'may contain only letters, digits, hyphens and dots';
  const labels = raw.split('.');
  if (labels.length === 1 && raw.length > 15) return 'is longer than the 15 characters a NetBIOS name allows';
  if (labels.some((l) => !LABEL.test(l))) return 'has an empty label or a label that starts or ends with a hyphen';
  return undefined;
}

export const nodeNameSchema = z.string().superRefine((value, ctx) => {
  const problem = nodeNameProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `host name ${problem}` });
});

/** Short (NetBIOS-style) form of a host name: the first DNS label, upper-cased. */
export function shortName(name: string): string {
  return (name.split('.')[0] ?? name).toUpperCase();
}

/** Names compare case-insensitively, and a short name matches its FQDN. */
export function sameHost(a: string, b: string): boolean {
  return shortName(a) === shortName(b);
}
