import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWindowsBackend, type PwshPoolOptions, type WindowsBackend } from '../../src/relay/server/backends/windows/index.js';

// Test harness around the pwsh double: a temp dir with the fixture, the call log and the
// process-start log, and windows backends wired to the double through PWSH_PATH.

export const PWSH_DOUBLE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pwsh-double.mjs');

export interface DoubleCall {
  pid: number;
  ok: boolean;
  op?: string;
  script?: string;
  endpoint?: string;
  params?: Record<string, unknown>;
  paramsB64?: string;
  command?: string;
  reason?: string;
}

export class DoubleHarness {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'pwsh-double-'));
  readonly fixtureFile = path.join(this.dir, 'fixture.json');
  readonly logFile = path.join(this.dir, 'calls.jsonl');
  readonly startsFile = path.join(this.dir, 'starts.jsonl');
  private readonly backends: WindowsBackend[] = [];

  constructor(fixture: unknown, private readonly extraEnv: Record<string, string> = {}) {
    writeFileSync(this.fixtureFile, JSON.stringify(fixture));
  }

  env(): NodeJS.ProcessEnv {
    return { ...process.env, PWSH_DOUBLE_FIXTURE: this.fixtureFile, PWSH_DOUBLE_LOG: this.logFile, PWSH_DOUBLE_STARTS: this.startsFile, ...this.extraEnv };
  }

  backend(poolSize = 2, pool: Partial<PwshPoolOptions> = {}): WindowsBackend {
    const backend = createWindowsBackend(
      { pwshPath: PWSH_DOUBLE, poolSize, jeaConfigurationName: 'HvLmDiag', jeaWriteConfigurationName: 'HvLmFix' },
      { pool: { env: this.env(), commandTimeoutMs: 20_000, ...pool } },
    );
    this.backends.push(backend);
    return backend;
  }

  calls(): DoubleCall[] {
    return lines(this.logFile) as DoubleCall[];
  }

  /** Process starts the double recorded (one line per process). */
  starts(): number {
    return lines(this.startsFile).length;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.backends.map((b) => b.close()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function lines(file: string): unknown[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}
