// What `triage --help` and `triage <command> --help` print. Plain strings with no imports, so help
// and --version never load the diagnostics, zod or the lab (docs/cli.md: under 0.5 s).

export const COMMANDS = ['check', 'health', 'capture'] as const;
export type CommandName = (typeof COMMANDS)[number];

export const EXIT_CODES = 'Exit codes: 0 healthy, 1 problems found (or the relay failed), 2 bad usage or bad input.';

export const USAGE = `usage:
  triage check <node> <node> [more nodes] [--lab FILE] [--json] [--initiator UPN]
  triage health <cluster> [--lab FILE] [--json]
  triage capture <node> <node> [more nodes] [--cluster NAME] [--redact] [--lab FILE] [--initiator UPN] > incident.yaml
  triage <command> --help | triage --version
Without --lab and without RELAY_URL, the lab scenario lab/default.yaml is used.`;

export const GENERAL_HELP = `triage: check Hyper-V live migration (Kerberos constrained delegation) from a terminal

${USAGE}

commands:
  check    check live migration between nodes, in both directions
  health   check every node of a cluster
  capture  the evidence of a check as a lab scenario (YAML on stdout), to reproduce or report it

options:
  --json          one JSON object on stdout, errors included ({"error":{"code","message"}})
  --lab FILE      answer from a lab scenario instead of a relay
  -h, --help      this help; triage <command> --help for one command
  -v, --version   the version

environment:
  RELAY_URL, RELAY_KEY_ID, RELAY_KEY_SECRET   the relay to ask, over the signed protocol
  RELAY_CA_FILE                               the CA of the relay's TLS certificate, if private

examples:
  triage check HV01 HV02
  triage health HVCLUSTER01 --json
  triage check HV01 HV02 --lab lab/spn-duplicate.yaml

${EXIT_CODES}
More: docs/cli.md`;

export const COMMAND_HELP: Record<CommandName, string> = {
  check: `triage check: check live migration between nodes, in both directions

usage: triage check <node> <node> [more nodes] [--lab FILE] [--json] [--initiator UPN]

Runs every diagnostic step of the runbook on the nodes and in Active Directory, and judges each
ordered pair (HV01 -> HV02 and HV02 -> HV01 separately: delegation is directional). Node names are
NetBIOS or DNS names; a short name and its FQDN are the same node. At most 64 nodes.

options:
  --initiator UPN   also check the account that starts migrations (sensitive, Protected Users)
  --lab FILE        answer from a lab scenario (lab/*.yaml) instead of the relay
  --json            one JSON object on stdout (docs/cli.md), errors included

examples:
  triage check HV01 HV02
  triage check HV01 HV02 HV03 HV04 --json
  triage check hv01.contoso.com hv02.contoso.com --initiator alice@contoso.com
  triage check HV01 HV02 --lab lab/delegation-kerberos-only.yaml

${EXIT_CODES}`,
  health: `triage health: check every node of a cluster

usage: triage health <cluster> [--lab FILE] [--json]

Asks the relay for the nodes of the cluster, then checks every ordered pair of them, as check does.

options:
  --lab FILE   answer from a lab scenario (lab/*.yaml) instead of the relay
  --json       one JSON object on stdout with the cluster name (docs/cli.md), errors included

examples:
  triage health HVCLUSTER01
  triage health HVCLUSTER01 --json | jq '.directions[] | select(.status != "ok")'
  triage health HVCLUSTER01 --lab lab/healthy.yaml

${EXIT_CODES}`,
  capture: `triage capture: the evidence of a check as a lab scenario

usage: triage capture <node> <node> [more nodes] [--cluster NAME] [--redact] [--lab FILE] [--initiator UPN] > incident.yaml
       triage capture --cluster NAME [--redact] > incident.yaml

Runs the same check as check, then prints what the relay collected (delegation attributes, SPNs,
host settings, events, hotfixes, DNS answers) as a lab scenario, with its time pinned to now and
the verdict as its expectation. triage check <nodes> --lab incident.yaml gives the same verdict.
Attach a redacted capture to report a wrong verdict.

options:
  --cluster NAME    record the cluster too; alone, capture every node of the cluster
  --redact          replace domain, host, user and VM names consistently (read the file before sending it)
  --lab FILE        capture from a lab scenario instead of the relay
  --initiator UPN   also record the account that starts migrations

examples:
  triage capture HV01 HV02 --redact > incident.yaml
  triage capture --cluster HVCLUSTER01 > cluster.yaml
  triage check HV01 HV02 --lab incident.yaml

${EXIT_CODES}`,
};

export function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}
