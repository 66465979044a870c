import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// manifests/relay/Install-TriageRelay.ps1 in real PowerShell 7: its validation and its -Plan (what
// it would do on Windows, as JSON) run anywhere. The plan is checked for what matters: a gMSA logon
// with no password, the .env readable only by the service account, TLS and audit paths handed to
// the relay, restart on failure, an event-log source, and a WinSW binary that must match its hash.

const run = promisify(execFile);
const SCRIPT = path.resolve('manifests/relay/Install-TriageRelay.ps1');
const pwsh = [...(process.env.PATH ?? '').split(path.delimiter).map((d) => path.join(d, 'pwsh')), path.join(os.homedir(), '.dotnet/tools/pwsh')].find((p) => existsSync(p));
const work = mkdtempSync(path.join(os.tmpdir(), 'triage-relay-svc-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const source = path.join(work, 'src');
for (const d of ['bin', 'dist/src/cli', 'node_modules']) mkdirSync(path.join(source, d), { recursive: true });
writeFileSync(path.join(source, 'bin/triage-relay.mjs'), '');
writeFileSync(path.join(source, 'dist/src/cli/triage-relay.js'), '');
const winsw = path.join(work, 'WinSW-x64.exe');
writeFileSync(winsw, 'stand-in for the WinSW executable');
const winswHash = createHash('sha256').update('stand-in for the WinSW executable').digest('hex');
const THUMB = 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678';

async function install(args: Record<string, string>, flags: string[] = ['-Plan']): Promise<{ code: number; stdout: string; stderr: string }> {
  const argv = ['-NoProfile', '-NonInteractive', '-File', SCRIPT, ...Object.entries(args).flatMap(([k, v]) => [`-${k}`, v]), ...flags];
  try {
    const { stdout, stderr } = await run(pwsh!, argv, { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const base = { SourceDir: source, ServiceAccount: 'CONTOSO\\svc-triage$', WinSWPath: winsw, WinSWSha256: winswHash, CertThumbprint: THUMB };
type Step = { action: string; target: string; detail: Record<string, unknown> };

describe.skipIf(!pwsh)('Install-TriageRelay.ps1 -Plan', { timeout: 90_000 }, () => {
  it('plans a WinSW service under the gMSA with no password, TLS and audit paths, restarts and an event source', async () => {
    const out = await install(base);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const plan = JSON.parse(out.stdout) as { gmsa: boolean; steps: Step[] };
    expect(plan.gmsa).toBe(true);
    expect(plan.steps.map((s) => s.action)).toEqual(['create-directory', 'create-directory', 'copy-app', 'install-winsw', 'write-winsw-config', 'set-acl', 'set-acl', 'set-acl', 'set-acl', 'export-certificate', 'register-event-source', 'install-service', 'start-service']);
    const xml = String(plan.steps.find((s) => s.action === 'write-winsw-config')!.detail.xml);
    expect(xml).toContain('<username>CONTOSO\\svc-triage$</username>');
    expect(xml).toContain('<allowservicelogon>true</allowservicelogon>');
    expect(xml).not.toContain('<password>');
    expect(xml).toContain('<env name="RELAY_AUDIT_LOG" value="C:\\ProgramData\\triage-relay\\audit\\relay-audit.jsonl" />');
    expect(xml).toContain('<env name="RELAY_TLS_CERT" value="C:\\ProgramData\\triage-relay\\tls\\relay.pem" />');
    expect(xml).toContain('<onfailure action="restart" delay="10 sec" />');
    expect(xml).toContain('app\\bin\\triage-relay.mjs');
    expect(plan.steps.find((s) => s.action === 'export-certificate')!.detail).toMatchObject({ store: 'Cert:\\LocalMachine\\My', thumbprint: THUMB });
    expect(plan.steps.find((s) => s.action === 'register-event-source')!.detail).toEqual({ source: 'triage-relay' });
  });

  it('locks the .env to the service account (read), SYSTEM and Administrators, with inheritance removed', async () => {
    const plan = JSON.parse((await install({ ...base, EnvFile: path.join(source, 'bin/triage-relay.mjs') })).stdout) as { steps: Step[] };
    expect(plan.steps.find((s) => s.action === 'copy-env')!.target).toBe('C:\\ProgramData\\triage-relay\\.env');
    const acl = plan.steps.find((s) => s.action === 'set-acl' && s.target.endsWith('\\.env'))!;
    expect(acl.detail).toEqual({
      inheritance: 'removed',
      grants: [
        { identity: 'CONTOSO\\svc-triage$', rights: 'Read' },
        { identity: 'NT AUTHORITY\\SYSTEM', rights: 'FullControl' },
        { identity: 'BUILTIN\\Administrators', rights: 'FullControl' },
      ],
    });
  });

  it('uses PEM files as given, without an export step', async () => {
    const cert = path.join(work, 'relay.pem');
    const key = path.join(work, 'relay.key');
    writeFileSync(cert, 'x');
    writeFileSync(key, 'x');
    const { CertThumbprint: _, ...noThumb } = base;
    const plan = JSON.parse((await install({ ...noThumb, CertFile: cert, KeyFile: key })).stdout) as { steps: Step[] };
    expect(plan.steps.map((s) => s.action)).not.toContain('export-certificate');
    expect(String(plan.steps.find((s) => s.action === 'write-winsw-config')!.detail.xml)).toContain(`<env name="RELAY_TLS_KEY" value="${key}" />`);
  });

  const refusals: Array<[string, Record<string, string>, RegExp]> = [
    ['a WinSW binary whose hash does not match', { WinSWSha256: 'f'.repeat(64) }, /has SHA-256 [0-9A-F]{64}, not the F{64} you gave: refusing to install it\.$/],
    ['a WinSW path that does not exist (nothing is downloaded)', { WinSWPath: path.join(work, 'missing.exe') }, /WinSW executable not found: .*the script downloads nothing/],
    ['an account name that is not DOMAIN\\name', { ServiceAccount: 'CONTOSO\\svc"; Remove-Item C:\\ -Recurse #' }, /is not DOMAIN\\name/],
    ['a password for a gMSA', { ServicePassword: 'secret' }, /a gMSA has no password/],
    ['a plain account without a password', { ServiceAccount: 'CONTOSO\\svc-triage' }, /is not a gMSA .* give -ServicePassword/],
    ['no TLS at all', { CertThumbprint: '' }, /TLS is required off loopback/],
    ['a checkout without npm ci', { SourceDir: work }, /has no bin\/triage-relay\.mjs: run npm ci there first/],
  ];
  for (const [what, change, message] of refusals) {
    it(`refuses ${what}, in one line and before changing anything`, async () => {
      const args = Object.fromEntries(Object.entries({ ...base, ...change }).filter(([, v]) => v !== ''));
      const out = await install(args);
      expect(out.code).toBe(1);
      expect(out.stdout).toBe('');
      const lines = out.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^Install-TriageRelay: /);
      expect(lines[0]).toMatch(message);
    });
  }

  it('refuses to install off Windows without -Plan, saying how to see the plan', async () => {
    const real = await install(base, []);
    expect(real.code).toBe(1);
    expect(real.stderr.trim()).toBe('Install-TriageRelay: installing needs Windows; use -Plan to see what would be done.');
  });
});
