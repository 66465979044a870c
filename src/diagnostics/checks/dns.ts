import { shortName } from '../../core/node-name.js';
import type { DnsAnswer } from '../../relay/protocol.js';
import type { Evidence } from '../evidence.js';
import { factsOf, peersOf, sameName, type NodeFacts } from '../facts.js';
import type { Finding } from '../findings.js';
import { arrow, finding } from '../make-finding.js';

// DOMAIN.md §1 check 13: each node resolves every peer's name (as the user gave it) to the
// peer's dNSHostName; anything else gives SEC_E_WRONG_PRINCIPAL (0x80090322) or no connection.
// Without a dNSHostName from the directory only "does not resolve" can be judged.

export function checkDns(evidence: Evidence): Finding[] {
  const facts = factsOf(evidence);
  return facts.nodes.flatMap((s) => {
    if (!s.dns) return [];
    const answers = new Map(s.dns.map((a) => [sameName(a.name), a]));
    return peersOf(facts, s).flatMap((d) => pair(s, answers, d));
  });
}

function pair(s: NodeFacts, answers: Map<string, DnsAnswer>, d: NodeFacts): Finding[] {
  const answer = answers.get(sameName(d.node));
  const resolvedTo = answer?.resolvedTo ?? null;
  const expected = d.fqdnSource === 'dNSHostName' ? d.fqdn : undefined;
  const evidence = { name: d.node, resolvedTo, expected: expected ?? null, answered: answer !== undefined };
  const where = { node: s.node, peer: d.node };
  if (resolvedTo === null) {
    return [finding('DNS_MISMATCH', 'error', `${arrow(s.node, d.node)}: ${s.node} cannot resolve ${d.node}`, evidence, where)];
  }
  if (expected === undefined || lands(resolvedTo, expected)) return [];
  const message = `${arrow(s.node, d.node)}: ${s.node} resolves ${d.node} to ${resolvedTo}, but its dNSHostName is ${expected}`;
  return [finding('DNS_MISMATCH', 'error', message, evidence, where)];
}

function lands(resolvedTo: string, expected: string): boolean {
  if (sameName(resolvedTo) === sameName(expected)) return true;
  // A resolver that answers with a bare host name is judged on that name alone.
  return !resolvedTo.includes('.') && shortName(resolvedTo) === shortName(expected);
}
