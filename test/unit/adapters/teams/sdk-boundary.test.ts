import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// botbuilder is out of Microsoft support (docs/teams.md): every import of the Bot Framework SDK
// stays inside adapters/teams/, so moving to the Microsoft 365 Agents SDK touches one folder.

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : /\.(ts|mjs|js)$/.test(e.name) ? [full] : [];
  });
}

describe('Bot Framework SDK boundary', () => {
  it('imports botbuilder and botframework-* only under adapters/teams/', () => {
    const files = ['src', 'adapters', 'scripts', 'bench', 'bin'].flatMap((d) => sources(d));
    const importing = files.filter((f) => /from ['"](botbuilder|botframework-[a-z-]+)['"]|import\(['"](botbuilder|botframework-)/.test(readFileSync(f, 'utf8')));
    expect(importing.length).toBeGreaterThan(0);
    expect(importing.filter((f) => !f.startsWith(`adapters${path.sep}teams${path.sep}`))).toEqual([]);
  });
});
