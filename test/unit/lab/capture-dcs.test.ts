import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/kernel/clock.js';
import { runCheck } from '../../../src/diagnostics/run-check.js';
import { captureScenario } from '../../../src/lab/capture.js';
import { LabBackend } from '../../../src/lab/lab-backend.js';
import { loadScenario, parseScenario } from '../../../src/lab/load.js';
import { redactScenario } from '../../../src/lab/redact.js';
import { scenarioYaml } from '../../../src/lab/scenario-yaml.js';
import { InProcessRelayClient } from '../../../src/relay/in-process-client.js';

// The domain-controller part of a capture (issue 19 evidence → domainControllers): what is
// written, what redaction replaces, and what the capture owns up to not reproducing. The
// round-trip of every shipped scenario is capture-round-trip.test.ts.

const ROOT = path.resolve(import.meta.dirname, '../../..');

async function checked(file: string) {
  const scenario = await loadScenario(path.join(ROOT, file));
  const relay = new InProcessRelayClient(new LabBackend(scenario), scenario.name);
  return runCheck(relay, scenario.expect!.nodes, { clock: fixedClock(scenario.domain.now), eventWindowHours: 72 });
}

describe('triage capture: domain-controller evidence', () => {
  it('writes each DC in dc.list order with its site, and a lagging DC\'s older delegation values', async () => {
    const { evidence, diagnosis } = await checked('lab/replication-pending-other-site.yaml');
    const { scenario, notes } = captureScenario(evidence, diagnosis);
    expect(notes).toEqual([]);
    expect(scenario.domainControllers.map((d) => [d.name, d.site])).toEqual(evidence.dcs!.list.ok ? evidence.dcs!.list.value.dcs.map((d) => [d.name, d.site]) : []);
    const lagging = scenario.domainControllers.filter((d) => Object.keys(d.delegation).length > 0);
    expect(lagging.map((d) => d.name)).toEqual(['DC02']);
    expect(lagging[0]!.delegation['HV01']?.allowedToDelegateTo).toEqual(['Microsoft Virtual System Migration Service/HV02', 'cifs/HV02']);
    // The nodes' own sites come from host.security.
    expect(scenario.hosts.map((h) => h.site)).toEqual(Object.values(evidence.hosts).map((h) => (h.security.ok ? h.security.value.site ?? undefined : undefined)));
  });

  it('writes the KDC events the check read, and a DC that did not answer as unreachable', async () => {
    const refused = await checked('lab/kdc-delegation-refused.yaml');
    const dc01 = captureScenario(refused.evidence, refused.diagnosis).scenario.domainControllers.find((d) => d.name === 'DC01')!;
    expect(dc01.kdcEvents.map((e) => [e.id, e.status, e.account, e.service])).toEqual([[4769, '0xD', 'HV01$@LAB.TEST', 'HV03$']]);
    const unknown = await checked('lab/dc-evidence-unknown.yaml');
    const dcs = captureScenario(unknown.evidence, unknown.diagnosis).scenario.domainControllers;
    expect(dcs.map((d) => [d.name, d.reachable])).toEqual([['DC01', true], ['DC02', false]]);
  });

  it('redacts DC names, sites and every account a KDC event names, in the events and the delegation copies', async () => {
    const refused = await checked('lab/kdc-delegation-refused.yaml');
    const text = scenarioYaml(redactScenario(captureScenario(refused.evidence, refused.diagnosis).scenario).scenario, ['redacted']);
    // alice appears only in the event's TransmittedServices (the scenario has no such user).
    for (const secret of ['dc01', 'dc02', 'alice', 'lab.test', 'hv01', 'hv03']) expect(text.toLowerCase()).not.toMatch(new RegExp(`(?<![a-z0-9-])${secret.replace('.', '\\.')}(?![a-z0-9-])`));
    const dc = parseScenario(text, 'r.yaml').domainControllers[0]!;
    expect(dc.kdcEvents[0]).toMatchObject({ account: 'NODE01$@CORP.EXAMPLE', service: 'NODE03$', transmittedServices: expect.stringMatching(/^account\d\d@CORP\.EXAMPLE$/) });

    // A TGT request's service is krbtgt, in every domain: kept.
    const dc01 = refused.evidence.dcs!.perDc['DC01']!;
    if (!dc01.kdcEvents.ok) throw new Error('DC01 answered in this scenario');
    const tgt = { ...dc01.kdcEvents.value.events[0]!, id: 4768, status: '0x12', service: 'krbtgt/LAB.TEST', transmittedServices: null };
    dc01.kdcEvents.value.events.push(tgt, { ...tgt, service: 'krbtgt' });
    const withTgt = redactScenario(captureScenario(refused.evidence, refused.diagnosis).scenario);
    expect(withTgt.scenario.domainControllers[0]!.kdcEvents.filter((e) => e.id === 4768).map((e) => e.service)).toEqual(['krbtgt/CORP.EXAMPLE', 'krbtgt']);
    // The realm in an SPN is the domain, not a host "LAB" in a domain "TEST".
    expect(withTgt.mapping.has('test')).toBe(false);

    const pending = await checked('lab/replication-pending-other-site.yaml');
    const redacted = redactScenario(captureScenario(pending.evidence, pending.diagnosis).scenario).scenario;
    expect(redacted.domainControllers.map((d) => [d.name, d.site])).toEqual([['KDC01', 'Default-First-Site-Name'], ['KDC02', 'SITE01']]);
    expect(Object.keys(redacted.domainControllers[1]!.delegation)).toEqual(['NODE01']);
    expect(redacted.domainControllers[1]!.delegation['NODE01']!.allowedToDelegateTo).toEqual(['Microsoft Virtual System Migration Service/NODE02', 'cifs/NODE02']);
  });

  it('says what the lab cannot reproduce: one read of a DC failed, a DC left out by the bound, the DC list failed', async () => {
    const { evidence, diagnosis } = await checked('lab/hardening-update-dc.yaml');
    const dcs = evidence.dcs!;
    const dc02 = dcs.perDc['DC02']!;
    dcs.perDc['DC02'] = { ...dc02, kdcEvents: { ok: false, error: { code: 'ACCESS_DENIED', message: 'denied' } } };
    dcs.skipped = ['DC09'];
    const partial = captureScenario(evidence, diagnosis);
    expect(partial.notes).toEqual([
      'DC09 was not read (DC_EVIDENCE_MAX); the lab answers with no KDC events or updates there',
      "DC02's KDC event read failed (ACCESS_DENIED); the lab answers it with no events",
    ]);
    expect(partial.scenario.description).toContain("DC02's KDC event read failed");

    evidence.dcs = { ...dcs, list: { ok: false, error: { code: 'ACCESS_DENIED', message: 'denied' } }, read: [], skipped: [], perDc: {} };
    const unlisted = captureScenario(evidence, diagnosis);
    expect(unlisted.notes).toEqual(['the domain controllers could not be listed (ACCESS_DENIED); the lab lists none']);
    expect(unlisted.scenario.domainControllers).toEqual([]);
  });
});
