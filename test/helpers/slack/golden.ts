import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';

// Golden files of rendered Block Kit under test/fixtures/slack. A missing or different file fails
// the test; `UPDATE_GOLDEN=1 npx vitest run ...` rewrites them (review the diff before committing).
const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'slack');

export function expectGolden(name: string, value: unknown): void {
  const file = join(DIR, `${name}.json`);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${file} is missing: run with UPDATE_GOLDEN=1 and review it`);
  // A lab-* golden also changes when the engine's wording does: regenerate with
  // UPDATE_GOLDEN=1 npx vitest run test/e2e/slack test/unit/adapters/slack, then review the diff.
  expect(text, `rendered output differs from ${file} (if intended: UPDATE_GOLDEN=1 npx vitest run test/e2e/slack test/unit/adapters/slack)`).toBe(readFileSync(file, 'utf8'));
}
