import { nodeNameProblem, shortName } from '../kernel/node-name.js';

// Chat commands and the CLI share one grammar, parsed here into typed commands. A bad command
// becomes a one-line explanation with a correct example, for the person who typed it.

export type Command =
  | { name: 'help' }
  | { name: 'migration-check'; nodes: string[]; initiator?: string }
  | { name: 'cluster-health'; cluster?: string }
  | { name: 'cluster-health-schedule'; cluster: string; cron: string; tz?: string; quiet: boolean }
  | { name: 'cluster-health-schedules' }
  | { name: 'cluster-health-unschedule'; id: string }
  | { name: 'audit'; planId: string }
  | { name: 'whoami' };

export type ParseResult = { ok: true; command: Command } | { ok: false; message: string };

export const MAX_NODES = 64;

export const EXAMPLES = {
  'migration-check': 'migration-check HV01 HV02',
  'cluster-health': 'cluster-health HVCLUSTER01',
  schedule: 'cluster-health HVCLUSTER01 schedule "0 8 * * 1-5" tz=Europe/Paris quiet',
  audit: 'audit pl_4f2a9c',
  whoami: 'whoami',
} as const;

/** Splits on whitespace, keeping "double-quoted parts" together (cron expressions). */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /"([^"]*)"|“([^”]*)”|(\S+)/g;
  for (const m of text.matchAll(re)) tokens.push(m[1] ?? m[2] ?? m[3] ?? '');
  return tokens;
}

function fail(message: string): ParseResult {
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

export function parseCommand(text: string): ParseResult {
  const [word, ...args] = tokenize(text.trim());
  switch ((word ?? '').toLowerCase().replace(/^\//, '')) {
    case '':
    case 'help':
      return { ok: true, command: { name: 'help' } };
    case 'migration-check':
      return parseMigrationCheck(args);
    case 'cluster-health':
      return parseClusterHealth(args);
    case 'audit':
      return args.length === 1 && /^[A-Za-z0-9_-]{1,64}$/.test(args[0]!)
        ? { ok: true, command: { name: 'audit', planId: args[0]! } }
        : fail(`audit takes one plan id. Example: ${EXAMPLES.audit}`);
    case 'whoami':
      return args.length === 0 ? { ok: true, command: { name: 'whoami' } } : fail('whoami takes nothing after it: it answers with your own ids.');
    default:
      return fail(`Unknown command "${printable(word ?? '')}". Try: ${EXAMPLES['migration-check']}, ${EXAMPLES['cluster-health']}, or help.`);
  }
}

function parseMigrationCheck(args: string[]): ParseResult {
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
  return { ok: true, command: { name: 'migration-check', nodes, ...(initiator ? { initiator } : {}) } };
}

function parseClusterHealth(args: string[]): ParseResult {
  if (args.length === 0) return { ok: true, command: { name: 'cluster-health' } };
  const [first, second, ...rest] = args;
  if (first === 'schedules' && args.length === 1) return { ok: true, command: { name: 'cluster-health-schedules' } };
  if (first === 'unschedule') {
    return args.length === 2 && /^[A-Za-z0-9_-]{1,64}$/.test(second!)
      ? { ok: true, command: { name: 'cluster-health-unschedule', id: second! } }
      : fail('unschedule takes one schedule id, as listed by: cluster-health schedules');
  }
  const problem = nodeNameProblem(first!);
  if (problem) return fail(`"${printable(first!)}" is not a valid cluster name: it ${problem}. Example: ${EXAMPLES['cluster-health']}`);
  if (second === undefined) return { ok: true, command: { name: 'cluster-health', cluster: first! } };
  if (second !== 'schedule') return fail(`Unexpected "${printable(second)}". Examples: ${EXAMPLES['cluster-health']} or ${EXAMPLES.schedule}`);
  const [cron, ...options] = rest;
  if (!cron) return fail(`schedule needs a cron expression in quotes. Example: ${EXAMPLES.schedule}`);
  let tz: string | undefined;
  let quiet = false;
  for (const option of options) {
    if (option.startsWith('tz=')) tz = option.slice(3);
    else if (option === 'quiet') quiet = true;
    else return fail(`Unexpected "${printable(option)}" after the cron expression. Example: ${EXAMPLES.schedule}`);
  }
  return { ok: true, command: { name: 'cluster-health-schedule', cluster: first!, cron, ...(tz ? { tz } : {}), quiet } };
}
