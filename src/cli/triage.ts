import { parseArgs } from 'node:util';
import { runTriage } from './triage-main.js';

// `triage` entry point: parse argv, run, exit with the documented code (0 healthy, 1 problems
// found, 2 bad usage or bad input). Every error becomes one line on stderr, never a stack trace.
const USAGE = `usage:
  triage check <node> <node> [more nodes] [--lab FILE] [--json] [--initiator UPN]
  triage health <cluster> [--lab FILE] [--json]
  triage capture <node> <node> [more nodes] [--cluster NAME] [--redact] [--lab FILE] [--initiator UPN] > incident.yaml
Without --lab and without RELAY_URL, the lab scenario lab/default.yaml is used.`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      allowPositionals: true,
      options: {
        lab: { type: 'string' },
        json: { type: 'boolean', default: false },
        initiator: { type: 'string' },
        cluster: { type: 'string' },
        redact: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`triage: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed.values.help || parsed.positionals.length === 0) {
    (parsed.values.help ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return parsed.values.help ? 0 : 2;
  }
  const [verb, ...args] = parsed.positionals;
  const result = await runTriage({
    verb: verb!,
    args,
    lab: parsed.values.lab,
    json: parsed.values.json ?? false,
    initiator: parsed.values.initiator,
    env: process.env,
    cluster: parsed.values.cluster,
    redact: parsed.values.redact ?? false,
  });
  if (result.stderr) process.stderr.write(`${result.stderr}\n`);
  if (result.stdout) process.stdout.write(`${result.stdout}\n`);
  if (result.exitCode === 2 && result.showUsage) process.stderr.write(`${USAGE}\n`);
  return result.exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`triage: unexpected failure: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
