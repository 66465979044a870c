import type { Evidence } from '../evidence.js';
import { accountName, factsOf, hostSpns, listHas, migrationSpns, type Facts, type NodeFacts } from '../facts.js';
import type { Finding } from '../findings.js';
import { finding, listText } from '../make-finding.js';

// docs/domain.md "SPNs" (check 5): the destination must carry its migration SPN (VMMS registers
// it; event 14050 when it cannot), and each of its migration and HOST SPNs must live on exactly
// one account (setspn -X). HOST counts because cifs/<node> maps to HOST/<node> through
// sPNMappings: a duplicate HOST SPN breaks SMB to the node (storage moves, SMB live migration).

export function checkSpns(evidence: Evidence): Finding[] {
  const facts = factsOf(evidence);
  return facts.nodes.flatMap((n) => [...spnMissing(facts, n), ...spnDuplicate(facts, n)]);
}

function formsOf(n: NodeFacts): string[] {
  const spns = migrationSpns(n);
  return spns.fqdn ? [spns.short, spns.fqdn] : [spns.short];
}

function spnMissing(facts: Facts, n: NodeFacts): Finding[] {
  const c = n.computer;
  if (!c) return [];
  const forms = formsOf(n);
  if (forms.some((spn) => listHas(c.servicePrincipalNames, spn))) return [];
  const elsewhere = forms.flatMap((spn) => (facts.spnOwners?.get(spn.toLowerCase()) ?? []).filter((a) => a !== n.short).map((account) => ({ spn, account })));
  const where = elsewhere.length > 0 ? ` (registered on ${listText([...new Set(elsewhere.map((e) => e.account))])} instead)` : '';
  const message = `${n.node} has no ${forms.join(' or ')} SPN${where}: live migrations to ${n.node} fail`;
  const evidence = { expected: forms, servicePrincipalNames: c.servicePrincipalNames, registeredElsewhere: elsewhere };
  return [finding('SPN_MISSING', 'error', message, evidence, { node: n.node })];
}

/** The SPNs that must live on exactly one account: the migration service and HOST, short and FQDN. */
function uniqueForms(n: NodeFacts): string[] {
  const host = hostSpns(n);
  return [...formsOf(n), host.short, ...(host.fqdn ? [host.fqdn] : [])];
}

function spnDuplicate(facts: Facts, n: NodeFacts): Finding[] {
  if (!facts.spnOwners) return [];
  const dups = uniqueForms(n)
    .map((spn) => ({ spn, accounts: facts.spnOwners!.get(spn.toLowerCase()) ?? [] }))
    .filter((o) => o.accounts.length > 1);
  if (dups.length === 0) return [];
  const first = dups[0]!;
  const isHost = /^HOST\//i.test(first.spn);
  const effect = isHost
    ? `cifs/${n.short} maps to HOST/${n.short} (sPNMappings), so Kerberos to ${n.node} over SMB and WinRM fails: storage moves, SMB live migration and remote moves to ${n.node} fail`
    : `Kerberos cannot tell them apart, so migrations to ${n.node} fail`;
  const message = `${n.node}: ${first.spn} is registered on ${first.accounts.length} accounts (${listText(first.accounts)}); ${effect}`;
  return [finding('SPN_DUPLICATE', 'error', message, { duplicates: dups, account: accountName(n.short) }, { node: n.node })];
}
