import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import { scenarioSchema, type Scenario } from './schema.js';
import { describeIssue, formatPath, issuePath, ScenarioError, type IssuePath } from './scenario-error.js';

export { ScenarioError } from './scenario-error.js';

// Reading a scenario: YAML → zod → a typed Scenario, or one ScenarioError naming the file, the
// field and (when the YAML tells us) the line. The first problem is reported, as a compiler
// would: fixing it often makes the next ones disappear.

export async function loadScenario(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ScenarioError(path, undefined, code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(err)})`);
  }
  return parseScenario(text, path);
}

export function parseScenario(text: string, sourceName: string): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = lines.linePos(yamlError.pos[0]).line;
    throw new ScenarioError(sourceName, undefined, `YAML syntax error: ${firstLine(yamlError.message)}`, line);
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ScenarioError(sourceName, undefined, 'expected a mapping with name, domain, hosts, ...');
  }
  const parsed = scenarioSchema.safeParse(data, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issuePath(issue);
  throw new ScenarioError(sourceName, formatPath(path) || undefined, describeIssue(issue, knownKeysAt), lineOf(doc, lines, path));
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/** Line of the value at `path`, or of its nearest ancestor present in the document. */
function lineOf(doc: Document, lines: LineCounter, path: IssuePath): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const prefix = path.slice(0, n) as (string | number)[];
    const node = n === 0 ? doc.contents : doc.getIn(prefix, true);
    const keyNode = n > 0 ? keyNodeAt(doc, prefix) : undefined;
    const range = keyNode?.range ?? (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lines.linePos(range[0]).line;
  }
  return undefined;
}

/** For a mapping entry, the key's node (so an unknown key points at itself). */
function keyNodeAt(doc: Document, path: (string | number)[]): { range?: [number, number, number] | null } | undefined {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const last = path[path.length - 1];
  const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === last);
  return pair && isScalar(pair.key) ? pair.key : undefined;
}

/** Keys the schema allows at `path`, to suggest the right spelling of an unknown key. */
function knownKeysAt(path: IssuePath): string[] {
  let schema: z.core.$ZodType | undefined = scenarioSchema;
  for (const part of [...path, undefined]) {
    schema = unwrap(schema);
    if (part === undefined) break;
    const def = schema?._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType } | undefined;
    if (def?.type === 'object' && typeof part === 'string') schema = def.shape?.[part];
    else if (def?.type === 'array') schema = def.element;
    else return [];
  }
  const def = schema?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  let s = schema;
  for (let i = 0; i < 10 && s; i++) {
    const def = s._zod.def as { type: string; innerType?: z.core.$ZodType };
    if (!['default', 'optional', 'nullable', 'prefault'].includes(def.type) || !def.innerType) return s;
    s = def.innerType;
  }
  return s;
}
