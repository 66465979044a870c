import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAB_SCHEMA_PATH, labJsonSchema, labJsonSchemaText } from '../../../src/lab/json-schema.js';

// The committed JSON Schema is generated from the zod schema; if they drift, editors validate
// scenarios against a contract the loader no longer applies.

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('docs/lab-scenario.schema.json', () => {
  it('is up to date with the zod schema (run npm run docs:lab-schema)', async () => {
    expect(await readFile(path.join(ROOT, LAB_SCHEMA_PATH), 'utf8')).toBe(labJsonSchemaText());
  });

  it('describes the format: strict objects, required fields, enums and defaults', () => {
    const schema = labJsonSchema() as {
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { items?: { properties: Record<string, { properties?: Record<string, { enum?: string[]; default?: unknown }> }> } }>;
    };
    expect(schema.required).toEqual(['name', 'domain', 'hosts']);
    expect(schema.additionalProperties).toBe(false);
    const migration = schema.properties.hosts?.items?.properties.migration?.properties;
    expect(migration?.authenticationType).toMatchObject({ enum: ['Kerberos', 'CredSSP'], default: 'Kerberos' });
  });
});
