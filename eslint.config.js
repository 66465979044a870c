// Flat config: typescript-eslint recommended rules on every TypeScript file we ship or test.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Layer boundaries (docs/architecture.md). The patterns see the import as written, so they match
// any number of `../` before a top-level folder; `npm run depcheck` (dependency-cruiser) checks
// the same rules on resolved paths, and test/unit/architecture/import-rules.test.ts shows they bite.
const up = '^(\\.\\./)+(src/)?';
const botFolders = ['core', 'approvals', 'scheduler', 'app', 'store', 'lab', 'cli', 'remediation', 'alerts'];
const layer = (message, folders, extra = []) => [
  'error',
  { patterns: [{ regex: `${up}(${folders.join('|')})(/|$)`, message }, ...extra] },
];
const relayMessage = 'The relay (the privileged component) depends only on src/kernel, zod and node: not on the bot.';
const relayRule = (folders) => layer(relayMessage, [...folders, 'diagnostics', 'adapters']);
const diagnosticsMessage = 'Diagnostics depend only on src/kernel and the relay contract (protocol.ts, relay-client.ts): not on the bot core or its extensions.';
const labBackendMessage = "The relay-side lab backend decides from the lab state (lab-test-migration.ts), never by running the bot's diagnostics engine: only the finding codes (diagnostics/findings.js).";
const labBackendFiles = ['src/lab/lab-backend.ts', 'src/lab/lab-state.ts', 'src/lab/lab-*-ops.ts', 'src/lab/lab-test-migration.ts', 'src/lab/switchable-backend.ts'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'bench/results.json', 'test-output/**', 'dist/**', 'adapters/web/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // One logger (src/kernel/logger.ts): no console.* in the product; CLI output for the person
    // at the terminal goes through process.stdout/stderr on purpose.
    files: ['src/**/*.ts', 'adapters/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['src/kernel/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!zod$|pino$|node:|\\./)', message: 'The kernel (src/kernel) has no dependencies: only zod, pino (the one logger), node: modules and its own files.' }] },
      ],
    },
  },
  {
    files: ['src/relay/**/*.ts'],
    rules: { 'no-restricted-imports': relayRule([...botFolders, 'config']) },
  },
  {
    files: ['src/diagnostics/**/*.ts'],
    rules: {
      'no-restricted-imports': layer(diagnosticsMessage, [...botFolders, 'config', 'adapters'], [
        { regex: `${up}relay/(?!protocol\\.js$|relay-client\\.js$)`, message: diagnosticsMessage },
      ]),
    },
  },
  {
    files: labBackendFiles,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: `${up}diagnostics/(?!findings\\.js$)`, message: labBackendMessage }] }],
    },
  },
);
