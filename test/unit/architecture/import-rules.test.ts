import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The layer rules in eslint.config.js, run through ESLint's own API with the repository's config
// on small snippets placed (virtually) in each layer: a forbidden import is an error naming the
// rule, an allowed one is clean. If a pattern stops matching, these fail.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = x;\n`, { filePath: path.join(ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer boundaries (eslint no-restricted-imports)', () => {
  it('refuses the core, config or an extension in the relay, at any depth', async () => {
    expect(await restricted('src/relay/protocol.ts', "import { x } from '../core/commands.js';")).toEqual([expect.stringContaining('The relay (the privileged component)')]);
    expect(await restricted('src/relay/server/op-pipeline.ts', "import { x } from '../../approvals/decide.js';")).toHaveLength(1);
    expect(await restricted('src/relay/server/backends/directory/filters.ts', "import type { x } from '../../../../scheduler/cron.js';")).toHaveLength(1);
    expect(await restricted('src/relay/client.ts', "import { x } from '../../adapters/slack/adapter.js';")).toHaveLength(1);
    expect(await restricted('src/relay/create-http-client.ts', "import type { x } from '../config/load.js';")).toHaveLength(1);
    expect(await restricted('src/relay/signing.ts', "import { x } from '../diagnostics/run-check.js';")).toHaveLength(1);
  });

  it('lets the relay use the kernel and its own files', async () => {
    expect(await restricted('src/relay/server/op-pipeline.ts', "import { x } from '../../kernel/clock.js';")).toEqual([]);
    expect(await restricted('src/relay/server/op-pipeline.ts', "import { x } from '../protocol.js';")).toEqual([]);
  });

  it('keeps diagnostics off the core and the relay server, but lets them read the relay contract', async () => {
    expect(await restricted('src/diagnostics/collect.ts', "import { x } from '../core/node-name.js';")).toEqual([expect.stringContaining('Diagnostics depend only on src/kernel')]);
    expect(await restricted('src/diagnostics/checks/dns.ts', "import { x } from '../../store/store.js';")).toHaveLength(1);
    expect(await restricted('src/diagnostics/collect.ts', "import { x } from '../relay/client.js';")).toHaveLength(1);
    expect(await restricted('src/diagnostics/collect.ts', "import { x } from '../relay/server/op-pipeline.js';")).toHaveLength(1);
    expect(await restricted('src/diagnostics/collect.ts', "import { x } from '../relay/protocol.js';")).toEqual([]);
    expect(await restricted('src/diagnostics/checks/dns.ts', "import { x } from '../../kernel/node-name.js';")).toEqual([]);
  });

  it('keeps the kernel free of everything but zod and node', async () => {
    expect(await restricted('src/kernel/refs.ts', "import { x } from '../relay/protocol.js';")).toEqual([expect.stringContaining('The kernel (src/kernel) has no dependencies')]);
    expect(await restricted('src/kernel/refs.ts', "import { x } from 'yaml';")).toHaveLength(1);
    expect(await restricted('src/kernel/refs.ts', "import { x } from './platform.js';")).toEqual([]);
    expect(await restricted('src/kernel/refs.ts', "import { x } from 'zod';")).toEqual([]);
  });

  it('keeps the relay-side lab backend off the diagnostics engine, but lets it name finding codes', async () => {
    expect(await restricted('src/lab/lab-test-migration.ts', "import { x } from '../diagnostics/diagnose.js';")).toEqual([expect.stringContaining("never by running the bot's diagnostics engine")]);
    expect(await restricted('src/lab/lab-backend.ts', "import { x } from '../diagnostics/run-check.js';")).toHaveLength(1);
    expect(await restricted('src/lab/lab-host-ops.ts', "import { x } from '../diagnostics/checks/index.js';")).toHaveLength(1);
    expect(await restricted('src/lab/lab-state.ts', "import { x } from '../diagnostics/findings.js';")).toEqual([]);
  });

  it('finds no forbidden import in the layers as they are', async () => {
    const results = await eslint.lintFiles(['src/kernel', 'src/relay', 'src/diagnostics', 'src/lab']);
    const found = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${path.relative(ROOT, r.filePath)}: ${m.message}`));
    expect(found).toEqual([]);
  });
});
