import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderEnvExample, withConfigReference } from '../../../src/config/render-docs.js';
import { SETTINGS } from '../../../src/config/settings.js';

// The README's configuration reference and .env.example are generated from the settings table;
// run `npm run docs:config` when this fails.
describe('configuration docs', () => {
  it('.env.example matches the settings table', () => {
    expect(readFileSync('.env.example', 'utf8')).toBe(`${renderEnvExample()}\n`);
  });

  it("the README's configuration reference matches the settings table", () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toBe(withConfigReference(readme));
  });

  it('documents every setting the code reads', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const s of SETTINGS) expect(readme).toContain(`\`${s.env}\``);
  });
});
