import type { Evidence } from '../evidence.js';
import { factsOf, type NodeFacts } from '../facts.js';
import type { Finding } from '../findings.js';
import { finding, listText } from '../make-finding.js';

// docs/domain.md "Migration settings" (checks 1–2): live migration enabled, its authentication type, and CredSSP with
// Credential Guard (broken by design: CG refuses to hand CredSSP the credentials it needs).

export function checkMigration(evidence: Evidence): Finding[] {
  const facts = factsOf(evidence);
  return [...facts.nodes.flatMap(nodeFindings), ...mismatch(facts.nodes)];
}

function nodeFindings(n: NodeFacts): Finding[] {
  const m = n.migration;
  if (!m) return [];
  const out: Finding[] = [];
  const settings = { enabled: m.enabled, authenticationType: m.authenticationType, maxMigrations: m.maxMigrations };
  if (!m.enabled) {
    out.push(finding('MIGRATION_DISABLED', 'error', `${n.node}: live migration is disabled (VirtualMachineMigrationEnabled is false); no migration to or from it can run`, settings, { node: n.node }));
  }
  if (m.authenticationType === 'CredSSP') out.push(credssp(n, settings));
  return out;
}

function credssp(n: NodeFacts, settings: Record<string, unknown>): Finding {
  const cg = n.security?.credentialGuardRunning;
  const evidence = { ...settings, credentialGuardRunning: cg ?? null, os: n.security?.os ?? null };
  if (cg === true) {
    const message = `${n.node} uses CredSSP for live migration while Credential Guard is running: migrations from ${n.node} fail (switch to Kerberos with constrained delegation)`;
    return finding('MIGRATION_AUTH_CREDSSP', 'error', message, evidence, { node: n.node });
  }
  const cgText = cg === false ? 'it breaks once Credential Guard runs (the Windows Server 2025 default)' : 'the Credential Guard state could not be read';
  const message = `${n.node} uses CredSSP for live migration: it works only when started on ${n.node} itself, and ${cgText}`;
  return finding('MIGRATION_AUTH_CREDSSP', 'warning', message, evidence, { node: n.node });
}

function mismatch(nodes: NodeFacts[]): Finding[] {
  const byType = new Map<string, string[]>();
  for (const n of nodes) {
    if (!n.migration) continue;
    const list = byType.get(n.migration.authenticationType) ?? [];
    list.push(n.node);
    byType.set(n.migration.authenticationType, list);
  }
  if (byType.size < 2) return [];
  const parts = [...byType].map(([type, names]) => `${type} on ${listText(names)}`);
  const evidence = { authenticationTypes: Object.fromEntries(nodes.filter((n) => n.migration).map((n) => [n.node, n.migration!.authenticationType])) };
  return [finding('MIGRATION_AUTH_MISMATCH', 'warning', `Nodes use different live-migration authentication: ${parts.join('; ')}`, evidence)];
}
