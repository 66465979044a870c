import { z } from 'zod';
import { scenarioSchema } from './schema.js';

// The JSON Schema of the scenario format, generated from the zod schema so the two never drift
// (a test regenerates it and compares with the committed docs/lab-scenario.schema.json).
// Editors use it for completion and validation: `# yaml-language-server: $schema=...`.
// Cross-field rules (unique names, cluster nodes that exist) are only in the loader.

export const LAB_SCHEMA_PATH = 'docs/lab-scenario.schema.json';

export function labJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
}

/** The file's exact text: stable key order, two-space indent, final newline. */
export function labJsonSchemaText(): string {
  return `${JSON.stringify(labJsonSchema(), null, 2)}\n`;
}
