import type { Evidence, HostEvidence } from './evidence.js';
import { sameHost } from '../kernel/node-name.js';

// A name nobody knows is a typo, not a finding: the directory has no computer object for it
// AND no host read for it succeeded. (A host that answers without a computer object is a real
// fault, reported as NODE_UNKNOWN; an unreachable directory proves nothing, so no name is
// declared unknown then.)
export function unknownNodes(evidence: Evidence): string[] {
  const dir = evidence.directory.computers;
  if (!dir.ok) return [];
  return evidence.nodes.filter((node) => {
    const missing = dir.value.notFound.some((n) => sameHost(n, node));
    const host = evidence.hosts[node];
    return missing && (!host || allFailed(host));
  });
}

function allFailed(host: HostEvidence): boolean {
  return [host.migration, host.security, host.events, host.hotfixes, host.dns].every((o) => !o.ok);
}
