import { shortName } from '../../kernel/node-name.js';
import type { DcDelegation } from '../../relay/protocol.js';
import type { Evidence } from '../evidence.js';
import { accountName, factsOf, type NodeFacts } from '../facts.js';
import type { Finding } from '../findings.js';
import { finding, listText } from '../make-finding.js';
import { unansweredDcs } from './dc-facts.js';

// docs/domain.md "Evidence from the domain controllers": a delegation change is written to one
// DC; a node gets its tickets from the DCs of its site. While one of those still holds the old
// msDS-AllowedToDelegateTo, userAccountControl or RBCD, the node fails as before: REPLICATION_PENDING.
// A DC that was asked and did not answer leaves its evidence unknown (DC_EVIDENCE_UNKNOWN), never ok.

const lower = (values: string[]) => [...new Set(values.map((v) => v.toLowerCase()))].sort();
const sameSet = (a: string[], b: string[]) => JSON.stringify(lower(a)) === JSON.stringify(lower(b));

/** What differs between the directory's values for a node and one DC's copy. */
export function differences(n: NodeFacts, copy: DcDelegation): string[] {
  const c = n.computer;
  if (!c) return [];
  if (!copy.found) return ['the computer object'];
  const diffs: string[] = [];
  if (!sameSet(c.allowedToDelegateTo, copy.allowedToDelegateTo)) diffs.push('msDS-AllowedToDelegateTo');
  if (copy.userAccountControl !== c.userAccountControl) diffs.push('userAccountControl');
  if (!sameSet(c.allowedToActOnBehalfOf.map(accountName), copy.allowedToActOnBehalfOf.map(accountName))) diffs.push('msDS-AllowedToActOnBehalfOfOtherIdentity');
  return diffs;
}

export function checkReplication(evidence: Evidence): Finding[] {
  const dcs = evidence.dcs;
  const rep = dcs?.replication;
  if (!dcs || !rep?.ok) return [];
  const siteOf = new Map((dcs.list.ok ? dcs.list.value.dcs : []).map((d) => [shortName(d.name), d.site]));
  return factsOf(evidence).nodes.flatMap((n) => {
    const site = n.security?.site ?? null;
    const lagging = rep.value.dcs.flatMap((entry) => {
      if (!entry.ok) return [];
      const dcSite = siteOf.get(shortName(entry.dc)) ?? null;
      // A DC in another site does not serve this node; with no site known, every DC counts.
      if (site !== null && dcSite !== null && dcSite.toLowerCase() !== site.toLowerCase()) return [];
      const copy = entry.computers.find((c) => shortName(c.computer) === n.short);
      const diffs = copy ? differences(n, copy) : [];
      return diffs.length > 0 && copy ? [{ dc: entry.dc, site: dcSite, differs: diffs, holds: copy }] : [];
    });
    if (lagging.length === 0) return [];
    const attrs = [...new Set(lagging.flatMap((l) => l.differs))];
    const message =
      `${n.node}: ${listText(lagging.map((l) => l.dc))} ${lagging.length === 1 ? 'still holds' : 'still hold'} older ${listText(attrs)} for ${n.node} than the directory` +
      `${site ? ` (site ${site})` : ''}: until replication reaches ${lagging.length === 1 ? 'it' : 'them'}, ${n.node} may get tickets under the old delegation, so the moves that depend on it are unknown. Wait for replication (or "repadmin /syncall"), then purge tickets on the nodes`;
    return [finding('REPLICATION_PENDING', 'warning', message, { site, dcs: lagging }, { node: n.node })];
  });
}

export function checkDcEvidence(evidence: Evidence): Finding[] {
  const dcs = evidence.dcs;
  if (!dcs) return [];
  if (!dcs.list.ok) {
    // With the directory down, DIRECTORY_UNREACHABLE already says so: the DC list is part of it.
    if (!evidence.directory.computers.ok) return [];
    return [finding('DC_EVIDENCE_UNKNOWN', 'warning', `The domain controllers could not be listed (${dcs.list.error.message}): the KDC events, DC updates and replication state are unknown`, { error: dcs.list.error })];
  }
  const missing = unansweredDcs(dcs);
  if (missing.length === 0) return [];
  const message = `${listText(missing.map((m) => m.dc))} did not answer (${missing[0]!.error.message}): ${missing.length === 1 ? 'its' : 'their'} KDC events, updates and copy of the delegation are unknown, not ok`;
  return [finding('DC_EVIDENCE_UNKNOWN', 'warning', message, { dcs: missing, read: dcs.read, skipped: dcs.skipped })];
}
