// How one operation becomes one command on a long-lived PowerShell's stdin (node-powershell
// writes it between its output delimiters). The script runs as a script block, `& { <script> }`,
// so its param() block binds -ParamsB64; the command ends with a newline so that, with the one
// node-powershell adds, a blank line tells `pwsh -Command -` the multi-line statement is complete.
// Parameters travel only as base64 of JSON, decoded inside the script: nothing a caller sends is
// ever parsed as PowerShell.

export const PARAMS_B64_PATTERN = /^[A-Za-z0-9+/=]*$/;
const LAST_LINE = /^\} -ParamsB64 '([A-Za-z0-9+/=]*)'$/;

export interface ScriptInput {
  /** The JEA session configuration the script connects to. */
  endpoint: string;
  /** For a write that also reads (the off-box test migration's events): the read endpoint. */
  readEndpoint?: string;
  params: Record<string, unknown>;
  /** A JEA session the process keeps for a node is closed after this long unused (Get-NodeSession). */
  sessionIdleMs?: number;
}

export function encodeParams(input: ScriptInput): string {
  const b64 = Buffer.from(JSON.stringify(input), 'utf8').toString('base64');
  // Base64 cannot contain anything else; checked anyway because this is the one variable part.
  if (!PARAMS_B64_PATTERN.test(b64)) throw new Error('base64 parameter string has unexpected characters');
  return b64;
}

export function buildInvocation(scriptText: string, paramsB64: string): string {
  if (!PARAMS_B64_PATTERN.test(paramsB64)) throw new Error('base64 parameter string has unexpected characters');
  return `& {\n${scriptText}\n} -ParamsB64 '${paramsB64}'\n`;
}

/** The inverse, for the test double: the script text and the base64 string, or null. */
export function parseInvocation(lines: readonly string[]): { scriptText: string; paramsB64: string } | null {
  if (lines.length < 3 || lines[0] !== '& {') return null;
  const match = LAST_LINE.exec(lines[lines.length - 1] ?? '');
  if (!match) return null;
  return { scriptText: lines.slice(1, -1).join('\n'), paramsB64: match[1] ?? '' };
}

export function decodeParams(paramsB64: string): unknown {
  return JSON.parse(Buffer.from(paramsB64, 'base64').toString('utf8'));
}
