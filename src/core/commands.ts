import { nodeNameProblem, shortName } from '../kernel/node-name.js';

import type { Parsed } from './registry.js';

// The core's own command grammar (migration-check, cluster-health) and the helpers every
// command parser shares. Chat commands and the CLI share one grammar; a bad command becomes a
// one-line explanation with a correct example, for the person who typed it. Extensions parse
// their own commands (src/core/registry.ts).

export const MAX_NODES = 64;

export const EXAMPLES = {
  'migration-check': 'migration-check HV01 HV02',
  'cluster-health': 'cluster-health HVCLUSTER01',
  whoami: 'whoami',
} as const;

/** Splits on whitespace, keeping "double-quoted parts" together (cron expressions). */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /"([^"]*)"|“([^”]*)”|(\S+)/g;
  for (const m of text.matchAll(re)) tokens.push(m[1] ?? m[2] ?? m[3] ?? '');
  return tokens;
}

export function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

/** Validates the node list of a migration check: at least two, valid names, no duplicates. */
export function validateNodes(nodes: string[], example: string): string | undefined {
  if (nodes.length < 2) return `A migration check needs at least two nodes (a source and a destination). Example: ${example}`;
  if (nodes.length > MAX_NODES) return `At most ${MAX_NODES} nodes per check; use cluster-health for a whole cluster. Example: ${example}`;
  for (const node of nodes) {
    const problem = nodeNameProblem(node);
    if (problem) return `"${printable(node)}" is not a valid node name: it ${problem}. Example: ${example}`;
  }
  const seen = new Map<string, string>();
  for (const node of nodes) {
    const key = shortName(node);
    const before = seen.get(key);
    if (before !== undefined) return `${before} and ${node} name the same node twice. Example: ${example}`;
    seen.set(key, node);
  }
  return undefined;
}

/**
 * Shows user input safely in a one-line message, bounded in length: control characters become
 * "?", and invisible format characters (bidi overrides and isolates such as U+202E, zero-width
 * spaces and joiners, the BOM, line and paragraph separators) are shown as <U+XXXX>, so an echo
 * can neither reorder the text around it nor hide what the person typed.
 */
export function printable(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we strip
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  const shown = clean.replace(/[\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`);
  return shown.length > 40 ? `${shown.slice(0, 40)}…` : shown;
}

export interface MigrationCheckArgs {
  nodes: string[];
  initiator?: string;
}

export function parseMigrationCheck(args: string[]): Parsed<MigrationCheckArgs> {
  const nodes: string[] = [];
  let initiator: string | undefined;
  for (const arg of args) {
    if (arg.startsWith('initiator=')) initiator = arg.slice('initiator='.length);
    else nodes.push(arg);
  }
  const problem = validateNodes(nodes, EXAMPLES['migration-check']);
  if (problem) return fail(problem);
  if (initiator !== undefined && !/^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9.-]{1,253}$/.test(initiator)) {
    return fail(`initiator= takes a UPN or mail address, such as initiator=alice@contoso.com.`);
  }
  return { ok: true, value: { nodes, ...(initiator ? { initiator } : {}) } };
}

export interface ClusterHealthArgs {
  cluster?: string;
}

/** `cluster-health [cluster]`; anything after the cluster belongs to a sub-command, if one claims it. */
export function parseClusterHealth(args: string[], examples: string[]): Parsed<ClusterHealthArgs> {
  if (args.length === 0) return { ok: true, value: {} };
  const [first, second] = args;
  const problem = clusterNameProblem(first!);
  if (problem) return fail(problem);
  if (second === undefined) return { ok: true, value: { cluster: first! } };
  return fail(`Unexpected "${printable(second)}". Example${examples.length > 1 ? 's' : ''}: ${examples.join(' or ')}`);
}

/** Why a cluster name typed in a command is refused, or undefined. */
export function clusterNameProblem(name: string): string | undefined {
  const problem = nodeNameProblem(name);
  return problem ? `"${printable(name)}" is not a valid cluster name: it ${problem}. Example: ${EXAMPLES['cluster-health']}` : undefined;
}
