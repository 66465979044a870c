import type { TestProject } from 'vitest/node';
import { ensurePostgres } from './postgres.js';
import { startSamba, type SambaConnection } from './samba.js';

// Starts, once for the whole run, what the integration tests need and this machine may lack.
// Each service module provides its connection details to the tests through `provide`.

declare module 'vitest' {
  export interface ProvidedContext {
    /** The throwaway Samba AD DC; null when this run has no integration or e2e tests. */
    samba: SambaConnection | null;
  }
}

/**
 * Whether this run needs the real services. A unit-only run (`npx vitest run test/unit`) must not
 * pay for a DC, so we ask vitest which test files the run's CLI filters select (the same globbing
 * it uses itself) and start services only if one lies under test/integration/ or test/e2e/.
 * `TRIAGE_TEST_SERVICES=none|all` overrides this (e.g. `all` to keep a DC up for a filtered run
 * that vitest cannot see through, such as `-t` name filters only).
 */
async function needsServices(project: TestProject): Promise<boolean> {
  const forced = process.env.TRIAGE_TEST_SERVICES;
  if (forced === 'none') return false;
  if (forced === 'all') return true;
  // `filenamePattern` holds the CLI file filters (undefined: the whole suite).
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern ?? [];
  const { testFiles } = await project.globTestFiles(filters);
  return testFiles.some((f) => /[\\/]test[\\/](integration|e2e)[\\/]/.test(f));
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const teardowns: Array<() => Promise<void>> = [];
  let samba: SambaConnection | null = null;
  if (await needsServices(project)) {
    // Once here, so that test files running in parallel find PostgreSQL up instead of each trying
    // to install and start it.
    await ensurePostgres();
    const dc = await startSamba();
    teardowns.push(dc.stop);
    samba = dc.connection;
  }
  project.provide('samba', samba);
  return async () => {
    for (const t of teardowns.reverse()) await t();
  };
}
