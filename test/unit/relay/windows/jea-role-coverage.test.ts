import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScripts, SCRIPT_SPECS, WINDOWS_OPERATIONS, type EndpointKind } from '../../../../src/relay/server/backends/windows/script-catalog.js';
import { parsePsDataFile, scriptBlockAt, type PsValue } from '../../../helpers/ps-data-file.js';

// Every command a relay script runs on a node (inside Invoke-Command -ScriptBlock { ... }) must be
// visible in the role of the endpoint that script uses, with the parameters and literal values it
// passes; and each role must expose nothing the scripts do not use. A fast static check: the
// same files are loaded by PowerShell itself (Import-PowerShellDataFile and JEA's own session
// configuration loader) and every script is run against them in test/integration/windows.

const jeaDir = path.resolve(import.meta.dirname, '../../../../manifests/jea');
type Table = { [key: string]: PsValue };
const read = (file: string) => parsePsDataFile(readFileSync(path.join(jeaDir, file), 'utf8')) as Table;
const ROLE_FILES: Record<EndpointKind, string> = { read: 'HvLmDiagReader.psrc', write: 'HvLmFixWriter.psrc', dc: 'HvLmDcReader.psrc' };
const COMMON = new Set(['erroraction', 'warningaction', 'informationaction', 'verbose', 'debug', 'errorvariable', 'outvariable', 'outbuffer', 'pipelinevariable', 'warningvariable', 'informationvariable']);
const list = (v: PsValue | undefined): PsValue[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const unqualified = (name: string) => (name.split('\\').pop() ?? name).toLowerCase();

interface RemoteCall {
  command: string;
  /** Sent to the read endpoint by a write script (`$in.readEndpoint`: the off-box test migration's event reads). */
  viaReadEndpoint: boolean;
  args: Array<{ name: string; literals: string[] }>;
}

/** The single-command script blocks a script sends to the node, tokenised. */
function remoteCalls(script: string): RemoteCall[] {
  const calls: RemoteCall[] = [];
  for (let at = script.indexOf('-ScriptBlock {'); at >= 0; at = script.indexOf('-ScriptBlock {', at + 1)) {
    const body = scriptBlockAt(script, at + '-ScriptBlock '.length).trim();
    const line = script.slice(script.lastIndexOf('\n', at) + 1, at);
    expect(body, 'a JEA script block holds one command, no statements or pipelines').not.toMatch(/[;|\n]/);
    const tokens = body.match(/'[^']*'|\S+/g) ?? [];
    const args: RemoteCall['args'] = [];
    for (const token of tokens.slice(1)) {
      if (token.startsWith('-') && !token.startsWith("'")) args.push({ name: token.slice(1).replace(/:$/, ''), literals: [] });
      else {
        expect(token, `argument ${token} is a literal or a $using: variable`).toMatch(/^('[^']*'|[A-Za-z0-9_.]+|\$using:[A-Za-z]+),?$/);
        const value = token.replace(/,$/, '');
        if (!value.startsWith('$')) args.at(-1)?.literals.push(value.replace(/^'(.*)'$/, '$1'));
      }
    }
    calls.push({ command: tokens[0] ?? '', args, viaReadEndpoint: /-ConfigurationName \$in\.readEndpoint\b/.test(line) });
  }
  return calls;
}

interface Allowed {
  params?: Map<string, { set?: string[]; pattern?: string }>;
  kind: 'cmdlet' | 'function';
}

function roleCommands(role: Table): Map<string, Allowed> {
  const allowed = new Map<string, Allowed>();
  for (const entry of list(role.VisibleCmdlets)) {
    if (typeof entry === 'string') { allowed.set(unqualified(entry), { kind: 'cmdlet' }); continue; }
    const e = entry as Table;
    const params = new Map<string, { set?: string[]; pattern?: string }>();
    for (const p of list(e.Parameters) as Table[]) {
      expect(p.ValidateSet !== undefined && p.ValidatePattern !== undefined, `${e.Name} -${p.Name}: JEA ignores ValidateSet when ValidatePattern is set`).toBe(false);
      params.set(String(p.Name).toLowerCase(), { set: p.ValidateSet === undefined ? undefined : list(p.ValidateSet).map(String), pattern: p.ValidatePattern as string | undefined });
    }
    allowed.set(unqualified(String(e.Name)), { kind: 'cmdlet', params: e.Parameters === undefined ? undefined : params });
  }
  const defined = new Map((list(role.FunctionDefinitions) as Table[]).map((f) => [String(f.Name).toLowerCase(), (f.ScriptBlock as { scriptBlock: string }).scriptBlock]));
  for (const name of list(role.VisibleFunctions).map(String)) {
    const body = defined.get(name.toLowerCase());
    expect(body, `${name} is visible but not defined in FunctionDefinitions`).toBeDefined();
    const paramBlock = /param\(([\s\S]*?)\)\s*\n(?:\s*#[^\n]*\n)*\s*\$/.exec(body ?? '')?.[1] ?? '';
    const params = new Map([...paramBlock.matchAll(/\$([A-Za-z]+)\s*(?:=|,|$)/gm)].map((m) => [m[1]!.toLowerCase(), {}]));
    allowed.set(name.toLowerCase(), { kind: 'function', params });
  }
  return allowed;
}

function callsOf(kind: EndpointKind): RemoteCall[] {
  const scripts = loadScripts();
  return WINDOWS_OPERATIONS.flatMap((op) => remoteCalls(scripts.get(op)!).filter((c) => (c.viaReadEndpoint ? kind === 'read' : SCRIPT_SPECS[op].endpoint === kind)));
}

describe.each(['read', 'write', 'dc'] as const)('the %s role covers its scripts exactly', (kind) => {
  const role = () => read(ROLE_FILES[kind]);

  it('finds the remote calls of the scripts', () => {
    expect(callsOf(kind).length).toBeGreaterThanOrEqual(kind === 'read' ? 9 : 3);
  });

  it('makes every command, parameter and literal value a script uses visible', () => {
    const allowed = roleCommands(role());
    for (const call of callsOf(kind)) {
      const rule = allowed.get(unqualified(call.command));
      expect(rule, `${call.command} is not visible in ${ROLE_FILES[kind]}`).toBeDefined();
      for (const arg of call.args) {
        if (COMMON.has(arg.name.toLowerCase()) || !rule?.params) continue;
        const p = rule.params.get(arg.name.toLowerCase());
        expect(p, `${call.command} -${arg.name} is not allowed by ${ROLE_FILES[kind]}`).toBeDefined();
        for (const literal of arg.literals) {
          if (p?.set) expect(p.set.map((v) => v.toLowerCase()), `${call.command} -${arg.name} '${literal}'`).toContain(literal.toLowerCase());
          if (p?.pattern) expect(literal).toMatch(new RegExp(p.pattern, 'i'));
        }
      }
    }
  });

  it('exposes nothing the scripts do not use', () => {
    const allowed = roleCommands(role());
    const used = new Set(callsOf(kind).map((c) => unqualified(c.command)));
    expect([...allowed.keys()].sort()).toEqual([...used].sort());
  });
});

describe('JEA roles and endpoints', () => {
  it('keeps writes out of the read role and cmdlets out of the write role', () => {
    const reader = roleCommands(read(ROLE_FILES.read));
    for (const name of reader.keys()) expect(name, 'read role command').toMatch(/^(get|resolve)-/);
    expect(read(ROLE_FILES.write).VisibleCmdlets).toBeUndefined();
    expect(read(ROLE_FILES.read).VisibleExternalCommands).toBeUndefined();
    expect(read(ROLE_FILES.read).VisibleProviders).toBeUndefined();
  });

  it.each([
    ['HvLmDiag.pssc', 'HvLmDiagReader'],
    ['HvLmFix.pssc', 'HvLmFixWriter'],
  ])('%s is a restricted, virtual-account, transcribed endpoint mapping one group to %s', (file, capability) => {
    const c = read(file);
    expect(c.SessionType).toBe('RestrictedRemoteServer');
    expect(c.RunAsVirtualAccount).toBe(true);
    expect(c.LanguageMode).toBeUndefined();
    expect(String(c.TranscriptDirectory)).toMatch(/^C:\\ProgramData\\JEA\\Transcripts\\/);
    const roles = Object.entries(c.RoleDefinitions as Table);
    expect(roles).toHaveLength(1);
    expect(roles[0]![0]).toMatch(/^[^\\\s]+\\[^\\]+$/);
    expect((roles[0]![1] as Table).RoleCapabilities).toBe(capability);
  });

  it('has every script reach the node only through the endpoint it was given', () => {
    for (const [op, composed] of loadScripts()) {
      const text = composed.split('\n').filter((line) => !line.trim().startsWith('#')).join('\n');
      const connections = text.match(/(Invoke-Command|New-PSSession)\s[^\n]*/g) ?? [];
      expect(connections.length, op).toBeGreaterThan(0);
      // $in.readEndpoint: only the off-box test migration gets it (windows-backend.ts), for its event reads.
      for (const line of connections) expect(line, op).toMatch(op === 'vm.test-migration' ? /-ConfigurationName \$in\.(endpoint|readEndpoint)\b|-Session \$s\b/ : /-ConfigurationName \$in\.endpoint|-Session \$s\b/);
      // A session is opened here on the endpoint, or kept by the wrapper's Get-NodeSession, whose
      // New-PSSession the line check above holds to the endpoint too.
      if (text.includes('-Session $s')) expect(text, op).toMatch(/\$s = (New-PSSession [^\n]*-ConfigurationName \$in\.endpoint|Get-NodeSession -Node \$p\.node)/);
      expect(text, op).toMatch(/\$held = @\{ Session = New-PSSession -ComputerName \$Node -ConfigurationName \$in\.endpoint /);
      expect(text, op).not.toMatch(/Invoke-Expression|iex\s|\[scriptblock\]::Create|Add-Type/i);
    }
  });
});
