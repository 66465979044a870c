import type { Config } from '../../../../config/load.js';
import { PwshPool, type PwshPoolOptions } from './pwsh-pool.js';
import { WindowsBackend } from './windows-backend.js';

// Entry point of the windows backend for the relay: one call with the typed config.
export { WindowsBackend, type WindowsBackendOptions } from './windows-backend.js';
export { PwshPool, type PwshPoolOptions, type PwshPoolStats } from './pwsh-pool.js';
export { WINDOWS_OPERATIONS, type WindowsOperation } from './script-catalog.js';

export interface WindowsBackendExtras {
  /** Overrides for the pool (environment, command timeout, the benchmark's process-per-command mode). */
  pool?: Partial<Omit<PwshPoolOptions, 'executable' | 'size'>>;
  scriptsDir?: string;
}

export function createWindowsBackend(config: Config['windows'], extras: WindowsBackendExtras = {}): WindowsBackend {
  const pool = new PwshPool({ executable: config.pwshPath, size: config.poolSize, ...extras.pool });
  return new WindowsBackend({
    pool,
    readEndpoint: config.jeaConfigurationName,
    writeEndpoint: config.jeaWriteConfigurationName,
    scriptsDir: extras.scriptsDir,
  });
}
