import { describe, expect, it } from 'vitest';
import { buildInvocation, decodeParams, encodeParams, parseInvocation, PARAMS_B64_PATTERN } from '../../../../src/relay/server/backends/windows/invocation.js';
import { loadScripts, scriptProblem, WINDOWS_OPERATIONS } from '../../../../src/relay/server/backends/windows/script-catalog.js';

describe('invocation framing', () => {
  it('encodes any parameter text, however odd, into the base64 alphabet only', () => {
    const odd = ["'", '"', '$(Stop-Computer)', '`n', '\n\n', '\u0000', 'ＨＶ０１', '; | &', '}\n& { evil }', '\u202e'];
    for (const value of odd) {
      const b64 = encodeParams({ endpoint: 'HvLmDiag', params: { node: value } });
      expect(b64).toMatch(PARAMS_B64_PATTERN);
      expect(decodeParams(b64)).toEqual({ endpoint: 'HvLmDiag', params: { node: value } });
    }
  });

  it('refuses to frame anything but a base64 string', () => {
    expect(() => buildInvocation("param([string]$ParamsB64)", "abc' ; Stop-Computer ; '")).toThrow(/unexpected characters/);
    expect(() => buildInvocation('param([string]$ParamsB64)', 'abc\n')).toThrow(/unexpected characters/);
  });

  it('frames a script so pwsh -Command - runs it as one statement ended by a blank line', () => {
    const command = buildInvocation('param([string]$ParamsB64)\n$x = 1', 'eyJ9');
    expect(command).toBe("& {\nparam([string]$ParamsB64)\n$x = 1\n} -ParamsB64 'eyJ9'\n");
    expect(parseInvocation(command.replace(/\n$/, '').split('\n'))).toEqual({ scriptText: 'param([string]$ParamsB64)\n$x = 1', paramsB64: 'eyJ9' });
    expect(parseInvocation(["& {", 'x', "} -ParamsB64 'a'; Stop-Computer"])).toBeNull();
  });
});

describe('the script files', () => {
  it('exist for every operation and follow the stdin rules', () => {
    const scripts = loadScripts();
    expect([...scripts.keys()].sort()).toEqual([...WINDOWS_OPERATIONS].sort());
    for (const text of scripts.values()) expect(scriptProblem(text)).toBeUndefined();
  });

  it('are refused with a blank line, a carriage return or another parameter', () => {
    const ok = 'param([Parameter(Mandatory = $true)][string]$ParamsB64)\n$a = 1';
    expect(scriptProblem(ok)).toBeUndefined();
    expect(scriptProblem(`${ok}\n\n$b = 2`)).toMatch(/blank line/);
    expect(scriptProblem(`${ok}\r\n$b = 2`)).toMatch(/carriage return/);
    expect(scriptProblem('param([string]$Node)\n$a = 1')).toMatch(/ParamsB64/);
  });
});
