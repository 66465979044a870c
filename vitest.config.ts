import { defineConfig } from 'vitest/config';

// One suite: unit, integration (real Samba AD DC, real PostgreSQL, relay over HTTP) and e2e
// (Slack/Teams over HTTP with nock, browser). The global setup starts what is missing.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/per-file-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
