#!/usr/bin/env node
// A stand-in for pwsh that speaks node-powershell 5.0.1's protocol exactly, for tests and the
// benchmark (PowerShell cannot run on this machine). node-powershell spawns
// `<exe> -NoLogo [options] -NoExit -Command -` and writes, per command:
//   [Console]::Error.WriteLine("<16-char delimiter>")  [Console]::Out.WriteLine("<delimiter>")
//   <command>
//   [Console]::Error.WriteLine("<delimiter>")  [Console]::Out.WriteLine("<delimiter>")
// and takes what appears between the two delimiters on each stream as the command's output;
// anything on stderr makes invoke() throw. Like `pwsh -Command -`, the double reads stdin as a
// REPL: a multi-line statement ends at a blank line.
//
// Every command must be EXACTLY `& {\n<one of our script files>\n} -ParamsB64 '<base64>'` with
// base64 JSON {endpoint, params} matching that operation's schema; anything else is answered on
// stderr, as PowerShell would report a failing command. See README.md for the environment.
import { appendFileSync, readFileSync } from 'node:fs';
import readline from 'node:readline';
import { answer } from './answers.mjs';
import { loadCatalog, windowsDir } from './catalog-loader.mjs';

const env = process.env;
const startupMs = Number(env.PWSH_DOUBLE_STARTUP_MS ?? 0);
const commandMs = Number(env.PWSH_DOUBLE_COMMAND_MS ?? 0);
const endpoints = { read: env.PWSH_DOUBLE_READ_ENDPOINT ?? 'HvLmDiag', write: env.PWSH_DOUBLE_WRITE_ENDPOINT ?? 'HvLmFix' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const DELIMITER = /^\[Console\]::(Out|Error)\.WriteLine\("([0-9A-Za-z]{16})"\)$/;

function append(file, record) {
  if (file) appendFileSync(file, `${JSON.stringify({ pid: process.pid, at: new Date().toISOString(), ...record })}\n`);
}

const args = process.argv.slice(2);
const cmdAt = args.indexOf('-Command');
if (!args.includes('-NoExit') || cmdAt < 0 || args[cmdAt + 1] !== '-') {
  process.stderr.write(`pwsh-double: expected node-powershell's "-NoExit -Command -", got: ${args.join(' ')}\n`);
  process.exit(64);
}
append(env.PWSH_DOUBLE_STARTS, { args });

const catalog = await loadCatalog();
const scripts = catalog.loadScripts(`${windowsDir}/scripts`);
const opByScript = new Map([...scripts].map(([op, text]) => [text, op]));
const fixture = env.PWSH_DOUBLE_FIXTURE ? JSON.parse(readFileSync(env.PWSH_DOUBLE_FIXTURE, 'utf8')) : { hosts: {} };
// The start-up cost is "ready no sooner than N ms after the process started".
await sleep(Math.max(0, startupMs - performance.now()));

function refuse(reason, extra = {}) {
  append(env.PWSH_DOUBLE_LOG, { ok: false, reason, ...extra });
  process.stderr.write(`pwsh-double: ${reason}\n`);
}

function check(lines) {
  const invocation = lines.length >= 3 && lines[0] === '& {' ? /^\} -ParamsB64 '([A-Za-z0-9+/=]*)'$/.exec(lines.at(-1)) : null;
  if (!invocation) return refuse('command is not "& { <script> } -ParamsB64 \'<base64>\'"', { command: lines.join('\n') });
  const scriptText = lines.slice(1, -1).join('\n');
  const op = opByScript.get(scriptText);
  if (!op) return refuse('script text is not exactly one of the relay scripts', { command: lines.join('\n') });
  let input;
  try {
    input = JSON.parse(Buffer.from(invocation[1], 'base64').toString('utf8'));
  } catch {
    return refuse('ParamsB64 is not base64 of JSON', { op });
  }
  const wantedEndpoint = endpoints[catalog.SCRIPT_SPECS[op].endpoint];
  const params = catalog.scriptParamsSchema(op).safeParse(input?.params);
  const keys = Object.keys(input ?? {}).sort().join(',');
  // sessionIdleMs: how long the script's process keeps a node's JEA session (issue 18); optional.
  if ((keys !== 'endpoint,params' && keys !== 'endpoint,params,sessionIdleMs') || input.endpoint !== wantedEndpoint || !params.success) {
    return refuse(`ParamsB64 does not match ${op}: endpoint must be ${wantedEndpoint} and params its schema`, { op, input });
  }
  append(env.PWSH_DOUBLE_LOG, { ok: true, op, script: catalog.SCRIPT_SPECS[op].file, endpoint: input.endpoint, params: input.params, paramsB64: invocation[1], command: lines.join('\n') });
  return { op, params: input.params };
}

async function run(lines) {
  if (commandMs > 0) await sleep(commandMs);
  const checked = check(lines);
  if (!checked) return;
  const reply = answer(fixture, checked.op, checked.params);
  if (reply.crash) process.exit(3);
  if (reply.hang) {
    setInterval(() => undefined, 1 << 30); // stay alive, silent, until killed
    await new Promise(() => undefined);
  }
  if (reply.stderr) process.stderr.write(`${reply.stderr}\n`);
  if (reply.stdout !== undefined) process.stdout.write(`${reply.stdout}\n`);
}

// Like pwsh -Command -, end at end of input, even while a command hangs: no orphans.
process.stdin.once('end', () => process.exit(0));

let statement = null;
for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (statement) {
    if (line.trim() === '') {
      const lines = statement;
      statement = null;
      await run(lines);
    } else statement.push(line);
    continue;
  }
  const delimiter = DELIMITER.exec(line);
  if (delimiter) (delimiter[1] === 'Out' ? process.stdout : process.stderr).write(`${delimiter[2]}\n`);
  else if (line === '& {') statement = [line];
  else if (line.trim() !== '') await run([line]);
}
