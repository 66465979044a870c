import type { RemediationPlan } from './plan.js';

// The risks docs/domain.md "Risks" names, said on every plan so the approver weighs them before clicking.
export function risksOf(plan: RemediationPlan): string[] {
  const risks = [
    plan.mode === 'kcd'
      ? 'Protocol transition lets each node obtain tickets for any non-sensitive user to the listed services (migration service and cifs) of its peers: a compromised node reaches cifs on its peers. The list is kept to the cluster nodes only; unconstrained delegation is turned off.'
      : 'RBCD lets every listed source node impersonate users to the destination (not per service); protocol transition is always permitted with RBCD.',
    'The change takes effect after AD replication to the DC each node uses and new tickets: the bot purges the machine tickets (klist -li 0x3e7 purge) on every node; other DCs may lag.',
    'Each computer is changed in one LDAP modify that carries both values, compare-and-swap on the values shown as "before": if AD changed since this plan, nothing is written.',
  ];
  if (plan.migrationAuth.length) risks.push('Switching live migration to Kerberos means migrations can be started remotely without CredSSP; CredSSP-only tooling on these hosts stops working.');
  return risks;
}
