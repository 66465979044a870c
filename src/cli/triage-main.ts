import { ConfigError, loadConfig, type Config } from '../config/load.js';
import { validateNodes, printable } from '../core/commands.js';
import { nodeNameProblem } from '../kernel/node-name.js';
import { newRequestId, withRequestId } from '../kernel/request-id.js';
import { runCheck } from '../diagnostics/run-check.js';
import { unknownNodes } from '../diagnostics/unknown-nodes.js';
import type { Diagnosis } from '../diagnostics/findings.js';
import { RelayError } from '../relay/protocol.js';
import { ScenarioError } from '../lab/load.js';
import type { CliError, CliErrorCode } from './cli-error.js';
import { formatDiagnosis } from './format-text.js';
import { openRelay } from './open-relay.js';
import { runCapture } from './capture.js';

// The CLI's logic, separate from argv and process so tests run it in-process.

export interface TriageRequest {
  verb: string;
  args: string[];
  lab?: string;
  json: boolean;
  initiator?: string;
  env: NodeJS.ProcessEnv;
  /** capture: the cluster to record, and whether to redact names. */
  cluster?: string;
  redact?: boolean;
}

export interface TriageResult {
  exitCode: 0 | 1 | 2;
  stdout?: string;
  /** Notes for the person (which lab scenario answered); errors are in `error`. */
  stderr?: string;
  /** What went wrong, with its stable code: printed as one line, or as JSON with --json. */
  error?: CliError;
  showUsage?: boolean;
}

const fail = (exitCode: 1 | 2, code: CliErrorCode, message: string, extra: Partial<TriageResult> = {}): TriageResult => ({ exitCode, error: { code, message }, ...extra });
const usageError = (message: string): TriageResult => fail(2, 'USAGE', message, { showUsage: true });

/** One CLI run is one event: its relay calls and log lines share a request id (kernel/request-id.ts). */
export function runTriage(req: TriageRequest): Promise<TriageResult> {
  return withRequestId(newRequestId(), () => run(req));
}

async function run(req: TriageRequest): Promise<TriageResult> {
  try {
    if (req.verb === 'check') return await check(req);
    if (req.verb === 'health') return await health(req);
    if (req.verb === 'capture') return await runCapture(req);
    return usageError(`unknown command "${printable(req.verb)}"`);
  } catch (err) {
    if (err instanceof ConfigError) return fail(2, 'BAD_CONFIG', err.message);
    if (err instanceof ScenarioError) return fail(2, 'BAD_SCENARIO', err.message);
    if (err instanceof RelayError) {
      // A 401 is our key or clock, not the nodes: its message already names the setting.
      return err.code === 'UNAUTHORIZED' ? fail(1, 'RELAY_REFUSED', err.message) : fail(1, 'RELAY_FAILED', `the relay failed: ${err.message}`);
    }
    throw err;
  }
}

/** The CLI logs errors only, unless LOG_LEVEL asks for more: its result is what the person reads. */
function cliLogLevel(req: TriageRequest, config: Config): Config['logLevel'] {
  return req.env.LOG_LEVEL ? config.logLevel : 'error';
}

async function check(req: TriageRequest): Promise<TriageResult> {
  const problem = validateNodes(req.args, 'triage check HV01 HV02');
  if (problem) return /not a valid node name|the same node twice/.test(problem) ? fail(2, 'INVALID_NAME', problem) : usageError(problem);
  return diagnoseAndReport(req, req.args, undefined);
}

async function health(req: TriageRequest): Promise<TriageResult> {
  if (req.args.length !== 1) return usageError('health takes exactly one cluster name, e.g. triage health HVCLUSTER01');
  const cluster = req.args[0]!;
  const problem = nodeNameProblem(cluster);
  if (problem) return fail(2, 'INVALID_NAME', `"${printable(cluster)}" is not a valid cluster name: it ${problem}`);
  const config = loadConfig(req.env);
  const opened = await openRelay(req.lab, config, cliLogLevel(req, config));
  let nodes: string[];
  try {
    nodes = (await opened.relay.call('cluster.nodes', { cluster })).nodes;
  } catch (err) {
    if (err instanceof RelayError && (err.code === 'NOT_FOUND' || err.code === 'UNKNOWN_HOST')) {
      return fail(2, 'UNKNOWN_CLUSTER', `unknown cluster ${cluster}${opened.knownClusters ? ` (known: ${opened.knownClusters.join(', ')})` : ''}`);
    }
    throw err;
  }
  if (nodes.length < 2) return fail(1, 'TOO_FEW_NODES', `cluster ${cluster} has ${nodes.length} node(s); live migration needs two.`);
  return diagnoseAndReport(req, nodes, cluster, opened);
}

async function diagnoseAndReport(
  req: TriageRequest,
  nodes: string[],
  cluster: string | undefined,
  given?: Awaited<ReturnType<typeof openRelay>>,
): Promise<TriageResult> {
  const config = loadConfig(req.env);
  const opened = given ?? (await openRelay(req.lab, config, cliLogLevel(req, config)));
  try {
    const { diagnosis, evidence } = await runCheck(opened.relay, nodes, {
      clock: opened.clock,
      eventWindowHours: config.eventWindowHours,
      maxDcs: config.dcEvidenceMax,
      ...(req.initiator ? { initiator: req.initiator } : {}),
    });
    const unknown = unknownNodes(evidence);
    if (unknown.length > 0) {
      const known = opened.knownNodes ? ` Known nodes: ${opened.knownNodes.join(', ')}.` : '';
      return fail(2, 'UNKNOWN_NODE', `unknown node ${unknown.join(', ')}: no computer object in the directory and no host answered.${known}`);
    }
    const stdout = req.json ? JSON.stringify(toJson(diagnosis, opened.relay.description, cluster), null, 2) : formatDiagnosis(diagnosis, contextLine(opened.relay.description, cluster, diagnosis));
    return { exitCode: diagnosis.verdict.status === 'healthy' ? 0 : 1, stdout, stderr: opened.note };
  } finally {
    await opened.close();
  }
}

function contextLine(source: string, cluster: string | undefined, d: Diagnosis): string {
  return `${cluster ? `Cluster ${cluster} · ` : ''}${d.nodes.length} nodes · evidence collected ${d.collectedAt} · ${source}`;
}

/** The `--json` document (docs/cli.md): one object, stable field names. */
export function toJson(d: Diagnosis, source: string, cluster?: string): Record<string, unknown> {
  return {
    ...(cluster ? { cluster } : {}),
    nodes: d.nodes,
    collectedAt: d.collectedAt,
    source,
    verdict: d.verdict,
    directions: d.directions,
    findings: d.findings,
  };
}
