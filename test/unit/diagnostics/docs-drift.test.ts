import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HRESULT_CLASSES } from '../../../src/diagnostics/classify-event.js';
import { FINDING_CODES } from '../../../src/diagnostics/findings.js';

// docs/findings.md and docs/domain.md are the reference users get: every code has a row with its
// source, the HRESULT table is the engine's, every in-repo link to a section lands on a heading,
// and nothing cites material users never get (../shared, DOMAIN.md).

const ROOT = path.resolve(import.meta.dirname, '../../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const findings = read('docs/findings.md');
const domain = read('docs/domain.md');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchors = (md: string) =>
  new Set([...md.matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1]!.toLowerCase().replace(/[^\p{L}\p{N} -]/gu, '').replace(/ /g, '-')));

describe('docs/findings.md', () => {
  it('has a row for every finding code, each naming its source', () => {
    for (const code of FINDING_CODES) {
      const row = findings.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
      expect(row, code).toBeDefined();
      expect(row!.split('|').at(-2)!.trim(), `${code} source`).not.toBe('');
    }
  });

  it('lists the HRESULT table exactly as the engine classifies', () => {
    const section = findings.slice(findings.indexOf('## HRESULT classes'));
    const rows = [...section.matchAll(/^\| (0x[0-9A-F]{8}) \| (\w+) \| ([\w-]+) \|$/gm)].map((m) => [m[1], m[2], m[3]]);
    expect(rows).toEqual(Object.entries(HRESULT_CLASSES).map(([h, c]) => [h, c.name, c.class]));
  });
});

describe('docs/domain.md', () => {
  it('is linked by section from findings.md, and every such link lands on a heading', () => {
    const targets = [...findings.matchAll(/\(domain\.md#([^)]+)\)/g)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThan(10);
    const known = anchors(domain);
    expect(targets.filter((t) => !known.has(t))).toEqual([]);
  });

  it('cites real links only: every reference-style link has a definition', () => {
    const used = new Set([...domain.matchAll(/\]\[([a-z0-9-]+)\]/g)].map((m) => m[1]!));
    const defined = new Set([...domain.matchAll(/^\[([a-z0-9-]+)\]: https:\/\//gm)].map((m) => m[1]!));
    expect([...used].filter((u) => !defined.has(u))).toEqual([]);
  });
});

describe('the repository stands alone', () => {
  // Owned by another engineer while the Windows backend is rewritten; listed for the lead.
  const files = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir)).flatMap((name) => {
      const rel = path.join(dir, name);
      return statSync(path.join(ROOT, rel)).isDirectory() ? files(rel) : [rel];
    });

  it('cites docs/domain.md, never DOMAIN.md or ../shared', () => {
    const all = ['src', 'adapters', 'docs', 'manifests', 'lab', 'test', 'scripts', 'bin'].flatMap(files).concat('README.md');
    const citing = all
      .filter((f) => !f.startsWith('test/fixtures/') && f !== 'test/unit/diagnostics/docs-drift.test.ts')
      .filter((f) => /\.(ts|mjs|js|md|yaml|yml|json|psrc|pssc|ps1)$/.test(f))
      .filter((f) => /DOMAIN\.md|\.\.\/shared\//.test(read(f)));
    expect(citing).toEqual([]);
  });
});
