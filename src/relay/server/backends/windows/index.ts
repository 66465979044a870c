import { PwshPool, type PwshPoolOptions } from './pwsh-pool.js';
import { WindowsBackend } from './windows-backend.js';

// Entry point of the windows backend for the relay: one call with the typed config.
export { WindowsBackend, type WindowsBackendOptions } from './windows-backend.js';
export { PwshPool, type PwshPoolOptions, type PwshPoolStats } from './pwsh-pool.js';
export { WINDOWS_OPERATIONS, type WindowsOperation } from './script-catalog.js';

/** The windows backend's settings (the relay's config passes its `windows` section, by shape). */
export interface WindowsBackendSettings {
  /** PWSH_PATH */
  pwshPath: string;
  /** PWSH_POOL_SIZE */
  poolSize: number;
  /** PWSH_POOL_WARM (default: 4, at most poolSize) */
  poolWarm?: number;
  /** PWSH_POOL_IDLE_MS (default 300 s) */
  poolIdleMs?: number;
  /** PWSH_HOST_CONCURRENCY (default 2) */
  hostConcurrency?: number;
  /** PWSH_SESSION_IDLE_MS (default 300 s) */
  sessionIdleMs?: number;
  /** JEA_CONFIGURATION_NAME */
  jeaConfigurationName: string;
  /** JEA_WRITE_CONFIGURATION_NAME */
  jeaWriteConfigurationName: string;
  /** JEA_DC_CONFIGURATION_NAME (default HvLmDcDiag) */
  jeaDcConfigurationName?: string;
}

export interface WindowsBackendExtras {
  /** Overrides for the pool (environment, command timeout, the benchmark's process-per-command mode). */
  pool?: Partial<Omit<PwshPoolOptions, 'executable' | 'size'>>;
  scriptsDir?: string;
}

export function createWindowsBackend(config: WindowsBackendSettings, extras: WindowsBackendExtras = {}): WindowsBackend {
  const pool = new PwshPool({ executable: config.pwshPath, size: config.poolSize, warm: config.poolWarm ?? 4, ...(config.poolIdleMs !== undefined ? { idleMs: config.poolIdleMs } : {}), ...extras.pool });
  return new WindowsBackend({
    pool,
    hostConcurrency: config.hostConcurrency ?? 2,
    ...(config.sessionIdleMs !== undefined ? { sessionIdleMs: config.sessionIdleMs } : {}),
    readEndpoint: config.jeaConfigurationName,
    writeEndpoint: config.jeaWriteConfigurationName,
    ...(config.jeaDcConfigurationName !== undefined ? { dcEndpoint: config.jeaDcConfigurationName } : {}),
    scriptsDir: extras.scriptsDir,
  });
}
