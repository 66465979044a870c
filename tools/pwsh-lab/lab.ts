import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWindowsBackend, type PwshPoolOptions, type WindowsBackend } from '../../src/relay/server/backends/windows/index.js';
import type { StubHostState } from './host-state.js';

// Real PowerShell 7 for the Windows backend's tests. A PwshLab is a set of emulated Hyper-V
// nodes: compiled stub modules for the Windows-only cmdlets, the JEA endpoints built from
// manifests/jea by PowerShell's own session-configuration loader, WinRM emulated by
// WinRmJea.psm1, and one state file per node. `executable` is what PWSH_PATH points at: a
// launcher that starts the real pwsh with a profile loading the emulation, so the pool, the
// invocation and the scripts are exactly the production ones.

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');
export const JEA_DIR = path.join(REPO, 'manifests/jea');
export const READER_GROUP = 'LAB\\HvLm-Relay-Readers';
export const WRITER_GROUP = 'LAB\\HvLm-Relay-Writers';
/** The relay's group on the domain controllers' read-only endpoint (issue 19). */
export const DC_READER_GROUP = 'LAB\\HvLm-Relay-DcReaders';

/** The developer's explicit opt-out for a local run without PowerShell (documented in the README). */
export const SKIP_PWSH = process.env.TRIAGE_SKIP_PWSH === '1';

/** pwsh on PATH or where `dotnet tool install --global` puts it; a clear error otherwise. */
export function findPwsh(): string {
  const candidates = [...(process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'pwsh')), path.join(os.homedir(), '.dotnet/tools/pwsh')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new Error(
      'PowerShell 7 (pwsh) is needed for the Windows backend tests and was not found on PATH or in ~/.dotnet/tools. ' +
        'Install it with `bash scripts/ci/pwsh-up.sh` (dotnet tool install --global PowerShell --version 7.6.9), ' +
        'or opt out for this local run with TRIAGE_SKIP_PWSH=1 (CI never does).',
    );
  }
  return found;
}

/** The stub modules, compiled once per change of their sources into a shared cache. */
export function stubModulesDir(pwsh = findPwsh()): string {
  const sources = [path.join(HERE, 'build-stubs.ps1'), ...readdirSync(path.join(HERE, 'stubs')).sort().map((f) => path.join(HERE, 'stubs', f))];
  const hash = createHash('sha256');
  for (const f of sources) hash.update(f).update(readFileSync(f));
  const dir = path.join(os.tmpdir(), 'triage-pwsh-stubs', hash.digest('hex').slice(0, 16));
  if (existsSync(path.join(dir, '.complete'))) return dir;
  const staging = `${dir}.${process.pid}.${Date.now()}`;
  execFileSync(pwsh, ['-NoLogo', '-NoProfile', '-File', path.join(HERE, 'build-stubs.ps1'), '-OutDir', staging], { stdio: 'pipe' });
  writeFileSync(path.join(staging, '.complete'), '');
  try {
    renameSync(staging, dir);
  } catch {
    // Another test file built it at the same moment: theirs is as good as ours.
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

/**
 * The JEA side laid out from a folder of role and session files (New-JeaLab.ps1), once per
 * content of that folder: it checks the files with PowerShell's own parser, so a broken role file
 * fails here, in every test that uses the lab.
 */
export function jeaLayoutDir(pwsh: string, stubs: string, jeaDir: string): string {
  const hash = createHash('sha256').update(stubs).update(readFileSync(path.join(HERE, 'New-JeaLab.ps1')));
  for (const f of readdirSync(jeaDir).sort()) if (/\.(psrc|pssc)$/.test(f)) hash.update(f).update(readFileSync(path.join(jeaDir, f)));
  const dir = path.join(os.tmpdir(), 'triage-pwsh-jea', hash.digest('hex').slice(0, 16));
  const done = path.join(dir, 'endpoints.json');
  if (existsSync(done)) return dir;
  // Test files start in parallel: one lays the folder out, the others wait for its marker.
  mkdirSync(path.dirname(dir), { recursive: true });
  try {
    mkdirSync(`${dir}.lock`);
  } catch {
    for (let waited = 0; !existsSync(done); waited += 100) {
      if (waited > 120_000) throw new Error(`timed out waiting for another test process to lay out ${dir}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
    return dir;
  }
  const staging = `${dir}.${process.pid}.${Date.now()}`;
  const out = execFileSync(pwsh, ['-NoLogo', '-NoProfile', '-File', path.join(HERE, 'New-JeaLab.ps1'), '-JeaDir', jeaDir, '-StubModules', stubs, '-OutDir', dir, '-ReaderGroup', READER_GROUP, '-WriterGroup', WRITER_GROUP, '-DcReaderGroup', DC_READER_GROUP], { stdio: 'pipe' }).toString();
  // The session configurations name their final paths; write the marker last, atomically.
  mkdirSync(dir, { recursive: true });
  writeFileSync(staging, out);
  renameSync(staging, path.join(dir, 'endpoints.json'));
  return dir;
}

export interface PwshLabOptions {
  /** The relay account's groups (default: reader and writer). */
  relayGroups?: string[];
  /** Role and session configuration files (default: manifests/jea). */
  jeaDir?: string;
  /** Extra environment for the pool's processes. */
  env?: Record<string, string>;
  /** Whether the relay host has Hyper-V's PowerShell module (RSAT) for Move-VM -ComputerName (default true). */
  relayHyperVTools?: boolean;
  /**
   * Endpoints registered under a site's own name: alias → the manifests' endpoint it is (a DC
   * team that registers HvLmDcDiag as "Contoso-DcDiag"). A host's `endpoints` may then list it.
   */
  endpointAliases?: Record<string, string>;
}

export interface EmulatedCall {
  computerName: string;
  configurationName: string;
  /** The relay's PowerShell process that made the call. */
  pid?: number;
  /** The commands the node received, as Invoke-Command converted the script block. */
  commands: Array<{ name: string; parameters: Array<{ name: string | null; value: unknown }> }> | null;
  /** The script text, when the block could not be converted (a NoLanguage endpoint refuses it). */
  script: string | null;
}

export class PwshLab {
  readonly pwsh = findPwsh();
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'pwsh-lab-'));
  readonly executable = path.join(this.dir, 'pwsh-lab');
  private readonly backends: WindowsBackend[] = [];

  constructor(hosts: StubHostState[], options: PwshLabOptions = {}) {
    const stubs = stubModulesDir(this.pwsh);
    const jea = jeaLayoutDir(this.pwsh, stubs, options.jeaDir ?? JEA_DIR);
    const endpoints = JSON.parse(readFileSync(path.join(jea, 'endpoints.json'), 'utf8')) as Record<string, { pssc: string; group: string }>;
    for (const [alias, of] of Object.entries(options.endpointAliases ?? {})) {
      if (!endpoints[of]) throw new Error(`no endpoint ${of} to register as ${alias}`);
      endpoints[alias] = endpoints[of];
    }
    const hostFiles: Record<string, string> = {};
    for (const h of hosts) {
      const file = this.writeHost(h);
      hostFiles[h.name.toLowerCase()] = file;
      hostFiles[h.fqdn.toLowerCase()] = file;
    }
    // A cluster's name answers from the node that owns the cluster's core resources: the first
    // node that is up.
    for (const h of hosts) {
      if (!h.cluster || h.failure) continue;
      const name = h.cluster.Name.toLowerCase();
      hostFiles[name] ??= hostFiles[h.name.toLowerCase()]!;
      hostFiles[`${name}.${h.domain.toLowerCase()}`] ??= hostFiles[h.name.toLowerCase()]!;
    }
    // The relay host's own modules: only Hyper-V's (RSAT), when it has them.
    const relayModules = options.relayHyperVTools !== false ? [path.join(stubs, 'Hyper-V', 'Hyper-V.psd1')] : [];
    writeFileSync(
      path.join(this.dir, 'lab.json'),
      JSON.stringify({
        modulePath: [stubs, path.join(jea, 'roles')].join(path.delimiter),
        stubAssembly: path.join(stubs, 'TriageLab.Stubs/TriageLab.Stubs.dll'),
        endpoints,
        relayGroups: options.relayGroups ?? [READER_GROUP, WRITER_GROUP, DC_READER_GROUP],
        hosts: hostFiles,
        relayModules,
        callLog: path.join(this.dir, 'calls.jsonl'),
      }),
    );
    const profileDir = path.join(this.dir, 'config/powershell');
    mkdirSync(profileDir, { recursive: true });
    writeFileSync(path.join(profileDir, 'Microsoft.PowerShell_profile.ps1'), `Import-Module '${path.join(HERE, 'WinRmJea.psm1')}'\n`);
    const env = Object.entries({ XDG_CONFIG_HOME: path.join(this.dir, 'config'), TRIAGE_PWSH_LAB: this.dir, ...options.env })
      .map(([k, v]) => `${k}=${shellQuote(v)}`)
      .join(' ');
    // node-powershell starts `<exe> -NoLogo -NoExit -Command - -NoProfile`; the launcher keeps
    // the stdin protocol and drops -NoProfile so the emulation loads, and records each start.
    writeFileSync(this.executable, `#!/bin/sh\necho $$ >> ${shellQuote(path.join(this.dir, 'starts'))}\nexec env ${env} ${shellQuote(this.pwsh)} -NoLogo -NoExit -Command -\n`);
    chmodSync(this.executable, 0o755);
  }

  backend(poolSize = 2, pool: Partial<PwshPoolOptions> = {}, dcConfigurationName?: string): WindowsBackend {
    const backend = createWindowsBackend(
      { pwshPath: this.executable, poolSize, jeaConfigurationName: 'HvLmDiag', jeaWriteConfigurationName: 'HvLmFix', ...(dcConfigurationName ? { jeaDcConfigurationName: dcConfigurationName } : {}) },
      { pool: { commandTimeoutMs: 60_000, ...pool } },
    );
    this.backends.push(backend);
    return backend;
  }

  /** A node's current state (after whatever the stubs changed). */
  host(name: string): StubHostState {
    return JSON.parse(readFileSync(this.hostFile(name), 'utf8')) as StubHostState;
  }

  /** Changes a node's state, as a test arranges it. */
  updateHost(name: string, change: (h: StubHostState) => void): void {
    const state = this.host(name);
    change(state);
    writeFileSync(this.hostFile(name), JSON.stringify(state, null, 2));
  }

  /** klist purges the stub recorded on a node. */
  purges(name: string): string[] {
    const log = path.join(this.hostDir(name), 'klist.log');
    return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  }

  /** What each node received, in order (without the calling process: see callLog). */
  calls(): EmulatedCall[] {
    return this.callLog().map(({ pid: _pid, ...call }) => call);
  }

  /** The calls with the relay's PowerShell process that made each (the bench's schedule). */
  callLog(): EmulatedCall[] {
    const log = path.join(this.dir, 'calls.jsonl');
    return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as EmulatedCall) : [];
  }

  /** Modelled WinRM cost from now on: every session set-up and every remote call waits this long (0: none). */
  setLatency(latency: { sessionMs: number; callMs: number }): void {
    writeFileSync(path.join(this.dir, 'latency.json'), JSON.stringify(latency));
  }

  /** Endpoint sessions opened so far (New-PSSession, or the one Invoke-Command -ComputerName opens). */
  sessions(): Array<{ computerName: string; configurationName: string; pid: number }> {
    const log = path.join(this.dir, 'sessions.jsonl');
    return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { computerName: string; configurationName: string; pid: number }) : [];
  }

  /** PowerShell processes started so far. */
  starts(): number {
    return this.pids().length;
  }

  /** Process ids of the PowerShell processes started so far, oldest first. */
  pids(): number[] {
    const file = path.join(this.dir, 'starts');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : [];
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.backends.map((b) => b.close()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private hostDir(name: string): string {
    return path.join(this.dir, 'hosts', name.toUpperCase());
  }

  private hostFile(name: string): string {
    return path.join(this.hostDir(name), 'state.json');
  }

  /** The state file, plus the node's own SystemRoot with the w32tm.exe and klist.exe stubs. */
  private writeHost(h: StubHostState): string {
    const dir = this.hostDir(h.name);
    const system32 = path.join(dir, 'Windows/System32');
    mkdirSync(system32, { recursive: true });
    const file = path.join(dir, 'state.json');
    writeFileSync(file, JSON.stringify({ ...h, systemRoot: path.join(dir, 'Windows') }, null, 2));
    for (const exe of ['w32tm.exe', 'klist.exe']) {
      const target = path.join(system32, exe);
      writeFileSync(target, readFileSync(path.join(HERE, 'bin', exe.replace('.exe', '.sh')), 'utf8'));
      chmodSync(target, 0o755);
    }
    return file;
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
