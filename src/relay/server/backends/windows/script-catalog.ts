import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { operations, type OperationName } from '../../../protocol.js';

// The fixed PowerShell scripts of the windows backend: one file per operation in ./scripts, run
// through the read JEA endpoint or the separate write endpoint. The script text never changes at
// run time; the only variable part of an invocation is the base64 parameter string.

/** read and write: the node's endpoints; dc: the domain controllers' read-only endpoint (issue 19). */
export type EndpointKind = 'read' | 'write' | 'dc';

export const SCRIPT_SPECS = {
  'host.migration-settings': { file: 'host-migration-settings.ps1', endpoint: 'read' },
  'host.security': { file: 'host-security.ps1', endpoint: 'read' },
  'host.events': { file: 'host-events.ps1', endpoint: 'read' },
  'host.hotfixes': { file: 'host-hotfixes.ps1', endpoint: 'read' },
  'host.dns': { file: 'host-dns.ps1', endpoint: 'read' },
  'host.vms': { file: 'host-vms.ps1', endpoint: 'read' },
  'host.evidence': { file: 'host-evidence.ps1', endpoint: 'read' },
  'cluster.nodes': { file: 'cluster-nodes.ps1', endpoint: 'read' },
  'host.purge-tickets': { file: 'host-purge-tickets.ps1', endpoint: 'write' },
  'host.set-migration-auth': { file: 'host-set-migration-auth.ps1', endpoint: 'write' },
  'vm.test-migration': { file: 'vm-test-migration.ps1', endpoint: 'write' },
  'dc.kdc-events': { file: 'dc-kdc-events.ps1', endpoint: 'dc' },
  'dc.hotfixes': { file: 'dc-hotfixes.ps1', endpoint: 'dc' },
  'dc.evidence': { file: 'dc-evidence.ps1', endpoint: 'dc' },
} as const satisfies Partial<Record<OperationName, { file: string; endpoint: EndpointKind }>>;

export type WindowsOperation = keyof typeof SCRIPT_SPECS;
export const WINDOWS_OPERATIONS = Object.keys(SCRIPT_SPECS) as WindowsOperation[];

export function isWindowsOperation(op: string): op is WindowsOperation {
  return Object.prototype.hasOwnProperty.call(SCRIPT_SPECS, op);
}

/**
 * What a script receives: the operation's protocol parameters without the approval token (the
 * relay checked it; the host has no use for it), still strict, so nothing else can ride along.
 */
export function scriptParamsSchema(op: WindowsOperation): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = { ...operations[op].params.shape };
  delete shape.approval;
  return z.object(shape).strict();
}

export function defaultScriptsDir(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'scripts');
}

/** The shared wrapper (parameter decoding, result envelope) and the line each body replaces. */
export const WRAPPER_FILE = 'wrapper.ps1';
const BODY_SLOT = '#OPERATION';

/**
 * Reads the wrapper and every operation body and composes one fixed script per operation: the
 * body, indented, in the wrapper's slot. The composition runs on the relay host in full language;
 * only the body's Invoke-Command script blocks reach the node's NoLanguage JEA endpoint, so the
 * wrapper needs nothing from the role. Each composed script is checked for the two rules the stdin
 * protocol depends on: no blank line (`pwsh -Command -` ends a multi-line statement at the first
 * blank line) and no carriage return.
 */
export function loadScripts(dir: string = defaultScriptsDir()): Map<WindowsOperation, string> {
  const wrapper = readScript(path.join(dir, WRAPPER_FILE));
  if (wrapper.split('\n').filter((line) => line.trim() === BODY_SLOT).length !== 1) throw new Error(`${WRAPPER_FILE}: must hold the line ${BODY_SLOT} exactly once`);
  const scripts = new Map<WindowsOperation, string>();
  for (const op of WINDOWS_OPERATIONS) {
    const file = path.join(dir, SCRIPT_SPECS[op].file);
    const text = composeScript(wrapper, readScript(file));
    const problem = scriptProblem(text);
    if (problem) throw new Error(`${file}: ${problem}`);
    scripts.set(op, text);
  }
  return scripts;
}

export function composeScript(wrapper: string, body: string): string {
  const indented = body.split('\n').map((line) => `        ${line}`).join('\n');
  return wrapper.split('\n').map((line) => (line.trim() === BODY_SLOT ? indented : line)).join('\n');
}

function readScript(file: string): string {
  return readFileSync(file, 'utf8').replace(/\n$/, '');
}

export function scriptProblem(text: string): string | undefined {
  if (text.includes('\r')) return 'contains a carriage return (save it with LF line ends)';
  if (text.split('\n').some((line) => line.trim() === '')) return 'contains a blank line, which would end the statement early under pwsh -Command -';
  if (!text.startsWith('param(')) return 'must start with its param() block';
  if (!/\[string\]\$ParamsB64\)/.test(text.split('\n')[0] ?? '')) return 'its only parameter must be [string]$ParamsB64';
  return undefined;
}
