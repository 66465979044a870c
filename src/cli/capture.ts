import { loadConfig } from '../config/load.js';
import { printable, validateNodes } from '../core/commands.js';
import { nodeNameProblem } from '../kernel/node-name.js';
import { runCheck } from '../diagnostics/run-check.js';
import { unknownNodes } from '../diagnostics/unknown-nodes.js';
import { captureScenario, CaptureError } from '../lab/capture.js';
import { redactScenario } from '../lab/redact.js';
import { scenarioYaml } from '../lab/scenario-yaml.js';
import { RelayError } from '../relay/protocol.js';
import { openRelay } from './open-relay.js';
import type { TriageRequest, TriageResult } from './triage-main.js';

// `triage capture HV01 HV02 [--cluster X] [--redact]`: run the check, and print the evidence it
// collected as a lab scenario (YAML on stdout, what the lab cannot reproduce on stderr), with
// `now` pinned to the capture time and `expect` filled from the verdict. The way to report a
// wrong verdict: attach the redacted capture (docs/cli.md).

export interface CaptureRequest extends TriageRequest {
  cluster?: string;
  redact?: boolean;
}

const USAGE_EXAMPLE = 'triage capture HV01 HV02 [--cluster HVCLUSTER01] [--redact] > incident.yaml';

export async function runCapture(req: CaptureRequest): Promise<TriageResult> {
  if (req.cluster !== undefined) {
    const problem = nodeNameProblem(req.cluster);
    if (problem || req.cluster.includes('.')) return { exitCode: 2, stderr: `triage: "${printable(req.cluster)}" is not a valid cluster name: it ${problem ?? 'must be a short name'}` };
  }
  const config = loadConfig(req.env);
  const opened = await openRelay(req.lab, config);
  try {
    let nodes = req.args;
    if (nodes.length === 0 && req.cluster) {
      try {
        nodes = (await opened.relay.call('cluster.nodes', { cluster: req.cluster })).nodes;
      } catch (err) {
        if (err instanceof RelayError && (err.code === 'NOT_FOUND' || err.code === 'UNKNOWN_HOST')) return { exitCode: 2, stderr: `triage: unknown cluster ${req.cluster}` };
        throw err;
      }
    }
    const problem = validateNodes(nodes, USAGE_EXAMPLE);
    if (problem) return { exitCode: 2, stderr: `triage: ${problem}`, showUsage: true };
    const { diagnosis, evidence } = await runCheck(opened.relay, nodes, {
      clock: opened.clock,
      eventWindowHours: config.eventWindowHours,
      ...(req.initiator ? { initiator: req.initiator } : {}),
    });
    const unknown = unknownNodes(evidence);
    if (unknown.length > 0) return { exitCode: 2, stderr: `triage: unknown node ${unknown.join(', ')}: no computer object in the directory and no host answered.` };
    const captured = captureScenario(evidence, diagnosis, req.cluster ? { cluster: req.cluster } : {});
    const redaction = req.redact ? redactScenario(captured.scenario) : undefined;
    const scenario = redaction?.scenario ?? captured.scenario;
    const header = [
      `Lab scenario captured by triage capture (docs/cli.md) from ${redaction ? 'redacted ' : ''}evidence of ${opened.relay.description}.`,
      `Reproduce: triage check ${scenario.expect?.nodes.join(' ') ?? ''}${scenario.expect?.initiator ? ` --initiator ${scenario.expect.initiator}` : ''} --lab <this file>`,
      ...(redaction ? ['Names are redacted (one mapping: domain, hosts, users, VMs); addresses, KB ids, times and flags are as read.'] : []),
    ];
    const notes = captured.notes.map((n) => `triage: capture: ${redaction ? redaction.apply(n) : n}`);
    return { exitCode: 0, stdout: scenarioYaml(scenario, header).trimEnd(), stderr: [opened.note, ...notes].filter(Boolean).join('\n') || undefined };
  } catch (err) {
    if (err instanceof CaptureError) return { exitCode: 1, stderr: `triage: ${err.message}` };
    throw err;
  } finally {
    await opened.close();
  }
}
