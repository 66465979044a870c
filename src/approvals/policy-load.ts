import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { policySchema, type Policy } from './policy-schema.js';

// Loads the policy file; every error names the file, the line and the field, so the admin who
// edited it knows exactly what to fix.
export class PolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyError';
  }
}

export function parsePolicy(text: string, source: string): Policy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const at = lines.linePos(syntax.pos[0]);
    throw new PolicyError(`${source}:${at.line}: ${syntax.message.split('\n')[0]}`);
  }
  const parsed = policySchema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return checkReferences(parsed.data, source);
  const issue = parsed.error.issues[0]!;
  const node = doc.getIn(issue.path as Array<string | number>, true) as { range?: [number, number, number] } | undefined;
  const line = node?.range ? `:${lines.linePos(node.range[0]).line}` : '';
  const field = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  throw new PolicyError(`${source}${line}: ${field || '(top level)'}: ${issue.message}`);
}

/** `person:` members must name a person listed under `people`. */
function checkReferences(policy: Policy, source: string): Policy {
  const names = new Set(policy.people.map((p) => p.name));
  for (const [role, members] of Object.entries(policy.roles)) {
    for (const m of members) {
      if (m.startsWith('person:') && !names.has(m.slice(7))) throw new PolicyError(`${source}: roles.${role}: ${m} is not listed under people`);
    }
  }
  return policy;
}

export async function loadPolicy(path: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    // Never a fallback to the lab's policy: who may approve a change must be written down.
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read';
    throw new PolicyError(`POLICY_FILE=${path}: ${why}. The bot does not start without its policy file: write one (docs/policy.md; lab/policies/default.yaml is the lab's) and set POLICY_FILE to it.`);
  }
  return parsePolicy(text, path);
}
