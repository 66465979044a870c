import type { RelayClient } from '../relay/relay-client.js';
import { collectEvidence, type CollectOptions } from './collect.js';
import { diagnose } from './diagnose.js';
import type { Evidence } from './evidence.js';
import type { Diagnosis } from './findings.js';

/** Collect evidence for the nodes and diagnose it: what the CLI, the bot and the lab run. */
export async function runCheck(relay: RelayClient, nodes: string[], options: CollectOptions): Promise<{ diagnosis: Diagnosis; evidence: Evidence }> {
  const evidence = await collectEvidence(relay, nodes, options);
  return { diagnosis: diagnose(evidence), evidence };
}
