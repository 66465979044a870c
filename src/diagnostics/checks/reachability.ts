import type { Evidence, HostEvidence, Outcome } from '../evidence.js';
import { factsOf } from '../facts.js';
import type { Finding } from '../findings.js';
import { finding, listText } from '../make-finding.js';

// Missing evidence is a finding of its own, so a reader sees *why* a direction is unknown:
// NODE_UNREACHABLE (host reads failed, naming which), DIRECTORY_UNREACHABLE (AD reads failed),
// NODE_UNKNOWN (the directory answered and has no computer object for the name).

const HOST_READS: Array<[keyof Omit<HostEvidence, 'node' | 'vms'>, string]> = [
  ['migration', 'host.migration-settings'],
  ['security', 'host.security'],
  ['events', 'host.events'],
  ['hotfixes', 'host.hotfixes'],
  ['dns', 'host.dns'],
];

interface FailedRead {
  read: string;
  code: string;
  message: string;
}

export function checkReachability(evidence: Evidence): Finding[] {
  return [...directoryFindings(evidence), ...evidence.nodes.flatMap((node) => nodeFindings(evidence, node))];
}

function nodeFindings(evidence: Evidence, node: string): Finding[] {
  const host = evidence.hosts[node];
  const failed: FailedRead[] = host
    ? HOST_READS.flatMap(([key, read]) => failure(read, host[key]))
    : HOST_READS.map(([, read]) => ({ read, code: 'NOT_COLLECTED', message: 'no host evidence was collected' }));
  const out: Finding[] = [];
  if (failed.length > 0) out.push(unreachable(node, failed));
  const facts = factsOf(evidence).nodes.find((n) => n.node === node);
  if (facts?.known === false) out.push(unknown(node, factsOf(evidence).directory?.notFound ?? []));
  return out;
}

function unreachable(node: string, failed: FailedRead[]): Finding {
  const first = failed[0]!;
  const cause = `${first.code}: ${first.message}`;
  const message =
    failed.length === HOST_READS.length
      ? `${node} is unreachable (${cause}); none of its host checks ran`
      : `${node}: could not read ${listText(failed.map((f) => f.read))} (${cause}); those checks are missing`;
  return finding('NODE_UNREACHABLE', 'error', message, { failedReads: failed }, { node });
}

function unknown(node: string, notFound: string[]): Finding {
  return finding('NODE_UNKNOWN', 'error', `${node}: no computer object in the directory matches this name`, { name: node, notFound }, { node });
}

function directoryFindings(evidence: Evidence): Finding[] {
  const { computers, spnOwners } = evidence.directory;
  const failed = [...failure('directory.computers', computers), ...failure('directory.spn-owners', spnOwners)];
  const initiator = evidence.directory.initiator;
  if (initiator) failed.push(...failure('directory.user', initiator.outcome));
  if (failed.length === 0) return [];
  const first = failed[0]!;
  const missing = computers.ok ? (spnOwners.ok ? 'the initiator check is' : 'SPN checks are') : 'AD checks (delegation, SPNs, encryption types) are';
  const message = `The directory could not be read (${first.code}: ${first.message}); ${missing} missing`;
  return [finding('DIRECTORY_UNREACHABLE', 'error', message, { failedReads: failed })];
}

function failure(read: string, outcome: Outcome<unknown>): FailedRead[] {
  return outcome.ok ? [] : [{ read, code: outcome.error.code, message: outcome.error.message }];
}
