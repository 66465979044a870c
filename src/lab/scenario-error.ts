import type { z } from 'zod';

// A scenario that cannot be used, said in one line a person can act on: the file, the path of
// the bad field (as they would write it: hosts[1].migration.authenticationType), what was
// expected, and the line when we know it.
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly fieldPath: string | undefined,
    readonly problem: string,
    readonly line?: number,
  ) {
    super(`${file}: ${fieldPath ? `${fieldPath}: ` : ''}${problem}${line ? ` (line ${line})` : ''}`);
    this.name = 'ScenarioError';
  }
}

export type IssuePath = readonly PropertyKey[];

/** `['hosts', 1, 'migration']` → `hosts[1].migration`. */
export function formatPath(path: IssuePath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** The path an issue points at: for an unknown key, the key itself. */
export function issuePath(issue: z.core.$ZodIssue): IssuePath {
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) return [...issue.path, issue.keys[0]];
  return issue.path;
}

/** One short explanation of an issue, without zod's wording. */
export function describeIssue(issue: z.core.$ZodIssue, knownKeys: (path: IssuePath) => string[]): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `expected ${article(issue.expected)}, got ${typeName(issue.input)}`;
    case 'invalid_value':
      return `expected ${alternatives(issue.values.map((v) => JSON.stringify(v)))}`;
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      const near = knownKeys(issue.path).find((k) => k.toLowerCase() === key.toLowerCase());
      return `unknown key${near ? ` (did you mean ${near}?)` : ''}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return `expected at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : `expected at least ${issue.minimum} characters`;
      return `expected at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'array') return `expected at most ${issue.maximum} items`;
      if (issue.origin === 'string') return `expected at most ${issue.maximum} characters`;
      return `expected at most ${issue.maximum}`;
    case 'invalid_format':
      if (issue.format === 'datetime') return 'expected a time such as 2026-11-20T09:00:00Z';
      return issue.message;
    default:
      return issue.message;
  }
}

function alternatives(items: string[]): string {
  if (items.length <= 1) return items[0] ?? 'nothing';
  if (items.length === 2) return `${items[0]} or ${items[1]}`;
  return `one of ${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}
