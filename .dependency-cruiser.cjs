// Import graph rules (docs/architecture.md), checked on resolved paths by `npm run depcheck` in
// CI. eslint.config.js has the same layer rules as patterns for the editor; this is the one that
// also sees folder cycles and the kernel's freedom from everything.
const BOT = '^src/(core|approvals|scheduler|app|store|lab|cli|remediation|alerts)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'kernel-depends-on-nothing',
      comment: 'src/kernel is the bottom layer: its own files, zod, pino (the one logger) and node built-ins only.',
      severity: 'error',
      from: { path: '^src/kernel/' },
      to: { pathNot: ['^src/kernel/', '^node_modules/zod/', '^node_modules/pino/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'relay-not-on-the-bot',
      comment: 'The relay (privileged) depends on the kernel only: not on the core, extensions, adapters, diagnostics or the bot config.',
      severity: 'error',
      from: { path: '^src/relay/' },
      to: { path: [BOT, '^src/(diagnostics|config)/', '^adapters/'] },
    },
    {
      name: 'diagnostics-not-on-the-bot',
      comment: 'Diagnostics depend on the kernel and the relay contract (protocol.ts, relay-client.ts) only.',
      severity: 'error',
      from: { path: '^src/diagnostics/' },
      to: { path: [BOT, '^src/config/', '^adapters/', '^src/relay/'], pathNot: '^src/relay/(protocol|relay-client)\\.ts$' },
    },
    {
      name: 'lab-backend-not-on-the-engine',
      comment:
        "The relay-side lab backend (and everything it reaches) decides outcomes from the lab state, never with the bot's diagnostics engine; only the finding codes (src/diagnostics/findings.ts) may be reached.",
      severity: 'error',
      from: { path: '^src/lab/(lab-backend|lab-state|lab-[a-z-]+-ops|lab-test-migration|switchable-backend)\\.ts$' },
      to: { path: '^src/diagnostics/', pathNot: '^src/diagnostics/findings\\.ts$', reachable: true },
    },
    {
      name: 'teams-sdk-in-the-teams-adapter',
      comment: 'botbuilder is out of support (docs/teams.md): every botbuilder / botframework-* import stays in adapters/teams, so replacing it touches one folder.',
      severity: 'error',
      from: { path: '^(src|adapters|bench|scripts|tools)/', pathNot: '^adapters/teams/' },
      to: { path: 'node_modules/(botbuilder|botframework-)' },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Folders form layers: no two folders import each other, directly or round a loop.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'bench-not-on-test-helpers',
      comment:
        'The benchmarks run the product, not the test fakes: bench keeps its own small fakes (and the PowerShell stand-in, bench/pwsh-double).',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^adapters/web/public/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.mjs', '.js', '.json'] },
  },
};
