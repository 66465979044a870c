import { shortName } from '../../kernel/node-name.js';
import type { DnsAnswer } from '../../relay/protocol.js';
import type { Evidence } from '../evidence.js';
import { factsOf, peersOf, sameName, type NodeFacts } from '../facts.js';
import type { Finding } from '../findings.js';
import { arrow, finding } from '../make-finding.js';

// docs/domain.md "DNS" (check 13): DNS is judged by forward lookups. On each node, the short name
// and the FQDN of every peer must resolve (A/AAAA) to that peer's own addresses; on a multi-homed
// peer every address counts, not the first. A name that does not resolve, or resolves to an
// address the peer does not have, sends the ticket request to the wrong host (0x80090322) or
// nowhere: an error that blocks the direction. The name the lookup lands on (the PTR of the
// address) naming another host is a warning at most, never a block. When the relay reports no
// addresses (or the peer's own addresses are unknown) only that name can be compared, so a
// mismatch is a warning that says what to check.

interface Lookup {
  name: string;
  resolvedTo: string | null;
  addresses: string[] | null;
  problem?: string;
  severity?: 'error' | 'warning';
}

export function checkDns(evidence: Evidence): Finding[] {
  const facts = factsOf(evidence);
  return facts.nodes.flatMap((s) => {
    if (!s.dns) return [];
    const answers = new Map(s.dns.map((a) => [sameName(a.name), a]));
    return peersOf(facts, s).flatMap((d) => pair(s, answers, d));
  });
}

/** The forms of D's name S must resolve: as given, short and FQDN, each once. */
function namesOf(d: NodeFacts): string[] {
  const names = [d.node, d.short, ...(d.fqdn ? [d.fqdn] : [])];
  return [...new Map(names.map((n) => [sameName(n), n])).values()];
}

const norm = (address: string) => address.trim().toLowerCase();

function judge(d: NodeFacts, name: string, answer: DnsAnswer): Lookup {
  const lookup: Lookup = { name, resolvedTo: answer.resolvedTo, addresses: answer.addresses ?? null };
  const got = answer.addresses ?? [];
  if (answer.resolvedTo === null && got.length === 0) return { ...lookup, problem: `cannot resolve ${name}`, severity: 'error' };
  const own = d.security?.addresses;
  const expected = d.fqdnSource === 'dNSHostName' ? d.fqdn : undefined;
  if (got.length > 0 && own && own.length > 0) {
    const mine = new Set(own.map(norm));
    const foreign = got.filter((a) => !mine.has(norm(a)));
    if (foreign.length > 0) return { ...lookup, problem: `resolves ${name} to ${foreign.join(', ')}, which ${foreign.length === 1 ? 'is not an address' : 'are not addresses'} of ${d.node} (${own.join(', ')})`, severity: 'error' };
    if (answer.resolvedTo !== null && expected !== undefined && !lands(answer.resolvedTo, expected)) {
      return { ...lookup, problem: `resolves ${name} to ${d.node}'s address, but the reverse (PTR) record names ${answer.resolvedTo}; fix the PTR record`, severity: 'warning' };
    }
    return lookup;
  }
  if (answer.resolvedTo !== null && expected !== undefined && !lands(answer.resolvedTo, expected)) {
    const why = got.length === 0 ? 'the relay reported no addresses' : `${d.node}'s own addresses are unknown`;
    return { ...lookup, problem: `resolves ${name} to ${answer.resolvedTo}, but its dNSHostName is ${expected} (${why}, so the forward lookup could not be checked; compare Resolve-DnsName ${name} with ${d.node}'s addresses)`, severity: 'warning' };
  }
  return lookup;
}

function pair(s: NodeFacts, answers: Map<string, DnsAnswer>, d: NodeFacts): Finding[] {
  const lookups: Lookup[] = namesOf(d).flatMap((name, i) => {
    const answer = answers.get(sameName(name));
    // The name as given is always asked; other forms only by relays that ask for them.
    if (!answer) return i === 0 ? [{ name, resolvedTo: null, addresses: null, problem: `cannot resolve ${name} (no answer)`, severity: 'error' as const }] : [];
    return [judge(d, name, answer)];
  });
  const bad = lookups.filter((l) => l.problem);
  const worst = bad.find((l) => l.severity === 'error') ?? bad[0];
  if (!worst) return [];
  const more = bad.length > 1 ? ` (and ${bad.length - 1} more lookup${bad.length === 2 ? '' : 's'} of ${d.node})` : '';
  const message = `${arrow(s.node, d.node)}: ${s.node} ${worst.problem}${more}`;
  const evidence = {
    name: d.node,
    resolvedTo: worst.resolvedTo,
    expected: d.fqdnSource === 'dNSHostName' ? (d.fqdn ?? null) : null,
    peerAddresses: d.security?.addresses ?? null,
    lookups: lookups.map(({ name, resolvedTo, addresses, problem }) => ({ name, resolvedTo, addresses, problem: problem ?? null })),
  };
  return [finding('DNS_MISMATCH', worst.severity ?? 'warning', message, evidence, { node: s.node, peer: d.node })];
}

function lands(resolvedTo: string, expected: string): boolean {
  if (sameName(resolvedTo) === sameName(expected)) return true;
  // A resolver that answers with a bare host name is judged on that name alone.
  return !resolvedTo.includes('.') && shortName(resolvedTo) === shortName(expected);
}
