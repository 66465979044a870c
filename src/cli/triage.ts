import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatError, type CliError } from './cli-error.js';
import { COMMAND_HELP, GENERAL_HELP, USAGE, isCommand } from './help-text.js';

// `triage` entry point: parse argv, run, exit with the documented code (0 healthy, 1 problems
// found, 2 bad usage or bad input). Every error becomes one line on stderr (with --json, one JSON
// object on stdout), never a stack trace. Help, --version and usage errors are answered before
// anything heavy is loaded: the diagnostics, zod and the lab come in only to run a command.

interface Output {
  code: number;
  stdout?: string;
  stderr?: string;
}

function usageFailure(message: string, json: boolean): Output {
  const shown = formatError({ code: 'USAGE', message }, json);
  return { code: 2, ...shown, ...(json ? {} : { stderr: `${shown.stderr}\n${USAGE}` }) };
}

/** This package's version, from the package.json above this file (src/cli under tsx, dist/src/cli compiled). */
function version(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

async function main(argv: string[]): Promise<Output> {
  // Known before parsing, so even an unknown option is reported as JSON when --json was asked for.
  const json = argv.includes('--json');
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        lab: { type: 'string' },
        json: { type: 'boolean', default: false },
        initiator: { type: 'string' },
        cluster: { type: 'string' },
        redact: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (err) {
    return usageFailure((err as Error).message, json);
  }
  const { values, positionals } = parsed;
  if (values.version) return { code: 0, stdout: `triage ${version()}` };
  // `triage help [command]` reads as `triage [command] --help`.
  const [first, ...rest] = positionals;
  const helpAsked = values.help || first === 'help';
  const verb = first === 'help' ? rest[0] : first;
  if (helpAsked) {
    if (verb === undefined) return { code: 0, stdout: GENERAL_HELP };
    if (isCommand(verb)) return { code: 0, stdout: COMMAND_HELP[verb] };
    return usageFailure(`no help for "${verb.slice(0, 40)}": the commands are check, health and capture`, json);
  }
  if (verb === undefined) return usageFailure('a command is needed', json);
  if (!isCommand(verb)) return usageFailure(`unknown command "${verb.slice(0, 40).replace(/[^\x20-\x7e]/g, '?')}"`, json);

  const { runTriage } = await import('./triage-main.js');
  const result = await runTriage({ verb, args: positionals.slice(1), lab: values.lab, json: values.json ?? false, initiator: values.initiator, env: process.env, cluster: values.cluster, redact: values.redact ?? false });
  const out: Output = { code: result.exitCode, ...(result.stdout ? { stdout: result.stdout } : {}), ...(result.stderr ? { stderr: result.stderr } : {}) };
  if (result.error) {
    const shown = formatError(result.error, json);
    if (shown.stdout) out.stdout = shown.stdout;
    const lines = [out.stderr, shown.stderr, !json && result.showUsage ? USAGE : undefined].filter(Boolean);
    if (lines.length) out.stderr = lines.join('\n');
  }
  return out;
}

function unexpected(err: unknown, json: boolean): Output {
  const error: CliError = { code: 'INTERNAL', message: `unexpected failure: ${err instanceof Error ? err.message : String(err)}` };
  return { code: 2, ...formatError(error, json) };
}

const argv = process.argv.slice(2);
main(argv)
  .catch((err: unknown) => unexpected(err, argv.includes('--json')))
  .then((out) => {
    if (out.stderr) process.stderr.write(`${out.stderr}\n`);
    if (out.stdout) process.stdout.write(`${out.stdout}\n`);
    process.exitCode = out.code;
  });
