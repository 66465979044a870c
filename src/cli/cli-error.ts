// The CLI's errors: a stable code (the --json contract, docs/cli.md) and one line for a person.
// No imports, so the entry point can report a usage error without loading anything heavy.

export type CliErrorCode =
  | 'USAGE'
  | 'INVALID_NAME'
  | 'UNKNOWN_NODE'
  | 'UNKNOWN_CLUSTER'
  | 'BAD_SCENARIO'
  | 'BAD_CONFIG'
  | 'TOO_FEW_NODES'
  | 'RELAY_REFUSED'
  | 'RELAY_FAILED'
  | 'INTERNAL';

export interface CliError {
  code: CliErrorCode;
  message: string;
}

/** The error as printed: `{"error":{"code","message"}}` on stdout with --json, else one line on stderr. */
export function formatError(error: CliError, json: boolean): { stdout?: string; stderr?: string } {
  return json ? { stdout: JSON.stringify({ error: error }, null, 2) } : { stderr: `triage: ${error.message}` };
}
