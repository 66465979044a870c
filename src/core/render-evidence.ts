import type { CheckRunRecord } from './core-store.js';
import type { HostEvidence, Outcome } from '../diagnostics/evidence.js';
import type { Reply } from './reply.js';

// "Show evidence": what the relay read on each node and in AD, summarised per node, with the
// whole evidence attached as JSON (the exact values the findings rest on).

function said<T>(o: Outcome<T>, show: (v: T) => string): string {
  return o.ok ? show(o.value) : `could not read (${o.error.code}: ${o.error.message})`;
}

function hostLines(h: HostEvidence): string[] {
  return [
    `migration: ${said(h.migration, (m) => `${m.enabled ? 'enabled' : 'DISABLED'}, ${m.authenticationType}, max ${m.maxMigrations}${m.performanceOption ? `, over ${m.performanceOption}` : ''}`)}`,
    `security: ${said(h.security, (s) => `${s.os}; Credential Guard ${s.credentialGuardRunning ? 'running' : 'not running'}; clock offset ${s.clockOffsetSeconds} s${s.addresses ? `; addresses ${s.addresses.join(', ')}` : ''}`)}`,
    `events: ${said(h.events, (e) => `${e.events.length} live-migration event(s)${e.events[0] ? `, latest ${e.events.at(-1)!.id} at ${e.events.at(-1)!.time}` : ''}`)}`,
    `hotfixes: ${said(h.hotfixes, (x) => x.hotfixes.map((k) => `${k.id}${k.installedOn ? ` (${k.installedOn})` : ''}`).join(', ') || 'none')}`,
    `dns: ${said(h.dns, (d) => d.answers.map((a) => `${a.name} → ${a.addresses?.length ? `${a.addresses.join(' ')} (${a.resolvedTo ?? 'no PTR'})` : (a.resolvedTo ?? 'no answer')}`).join(', '))}`,
    ...(h.vms ? [`vms: ${said(h.vms, (v) => v.vms.map((vm) => `${vm.name}${vm.isClustered === true ? ' (clustered)' : vm.isClustered === false ? ' (not clustered)' : ''}`).join(', ') || 'none')}`] : []),
  ];
}

export function evidenceReply(record: CheckRunRecord): Reply {
  const ev = record.evidence;
  const sections = record.nodes.map((node) => ({ title: node, lines: ev.hosts[node] ? hostLines(ev.hosts[node]!) : ['no host evidence'] }));
  const dir = ev.directory.computers;
  sections.push({
    title: 'Active Directory',
    lines: dir.ok
      ? dir.value.computers.map((c) => `${c.name}: uac ${c.userAccountControl} (0x${c.userAccountControl.toString(16)}), delegates to ${c.allowedToDelegateTo.length} SPN(s), RBCD from ${c.allowedToActOnBehalfOf.join(', ') || 'nobody'}, enctypes ${c.supportedEncryptionTypes ?? 'not set'}`).concat(dir.value.notFound.length ? [`not found: ${dir.value.notFound.join(', ')}`] : [])
      : [`could not read (${dir.error.code}: ${dir.error.message})`],
  });
  return {
    header: `Evidence · ${record.nodes.join(', ')}`,
    verdict: { status: 'info', text: `Evidence collected ${ev.collectedAt} (events of the last ${ev.eventWindowHours} h). The full evidence is attached as JSON.` },
    sections,
    attachments: [{ filename: `evidence-${record.id}.json`, mimeType: 'application/json', content: JSON.stringify(ev, null, 2) }],
    // The same evidence as a redacted lab scenario, to reproduce the verdict offline (src/core/save-scenario.ts).
    buttons: [{ action: 'save-scenario', label: 'Save as lab scenario', recordId: record.id }],
  };
}
