import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnostics/diagnose.js';
import { FINDING_CODES, FIXABLE_CODES } from '../../../src/diagnostics/findings.js';
import { evidenceFacts } from '../../../src/core/evidence-facts.js';
import { NEXT_STEP_CODES, nextStepsSection } from '../../../src/core/next-steps.js';
import { diagnosisReply } from '../../../src/core/render-diagnosis.js';
import { computer, dcCopy, events, failHost, fqdn, healthyEvidence, kdcEvent, kdcEvents, lmEvent, MVSMS, spnOwners, withDcs } from '../../helpers/evidence-builder.js';

// "What to do next": a finding the bot cannot fix names the command to run with the real names
// filled in and links to its section of docs/findings.md; one it can fix gets no manual step.

const DOC = readFileSync(new URL('../../../docs/findings.md', import.meta.url), 'utf8');

describe('What to do next', () => {
  it('SPN_DUPLICATE: setspn -D for the other account, linked to its docs section', () => {
    const ev = healthyEvidence(['HV01', 'HV02']);
    spnOwners(ev).find((o) => o.spn === `${MVSMS}/HV02`)!.accounts.push('OLDHV02$');
    const d = diagnose(ev);
    const next = nextStepsSection(d)!;
    expect(next.lines).toContain('SPN_DUPLICATE · HV02: see docs/findings.md#spn_duplicate');
    expect(next.lines).toContain(`    setspn -D "${MVSMS}/HV02" "OLDHV02"`);
    // The node's own account keeps the SPN.
    expect(next.lines.some((l) => l.startsWith('    setspn -D') && l.endsWith(' "HV02"'))).toBe(false);
    const reply = diagnosisReply(d, { title: 't', recordId: 'cr_1', context: [], docsBaseUrl: 'https://docs.example.com/triage/docs/' });
    expect(reply.sections!.at(-1)!.lines[0]).toBe('SPN_DUPLICATE · HV02: see https://docs.example.com/triage/docs/findings.md#spn_duplicate');
  });

  it('NODE_UNREACHABLE: Test-WSMan against that node', () => {
    const ev = healthyEvidence(['HV01', 'HV02']);
    failHost(ev, 'HV02');
    const next = nextStepsSection(diagnose(ev))!;
    expect(next.lines).toContain("    Test-WSMan -ComputerName 'HV02' -Authentication Kerberos");
  });

  it('LOGON_RIGHT_MISSING: gpresult on the refusing node', () => {
    const ev = healthyEvidence(['HV01', 'HV02']);
    events(ev, 'HV02').push(lmEvent(21502, '2026-11-20T08:00:00Z', "Live migration of 'VM1' failed. The user has not been granted the requested logon type at this computer. (0x80070569)"));
    const next = nextStepsSection(diagnose(ev))!;
    expect(next.lines).toContain('LOGON_RIGHT_MISSING · HV02: see docs/findings.md#logon_right_missing');
    expect(next.lines.find((l) => l.includes('gpresult'))).toBe('    gpresult /h C:\\Temp\\gpresult-HV02.html /f  # on HV02, elevated');
  });

  it('a KDC refusal and a lagging DC name the DC to read, the direction and the purge', () => {
    const ev = healthyEvidence(['HV01', 'HV02']);
    withDcs(ev, [{ name: 'DC01' }, { name: 'DC02' }]);
    kdcEvents(ev, 'DC02').push(kdcEvent({ log: 'Security', id: 4769, status: '0xD', account: 'HV01$@LAB.TEST', service: 'HV02$' }));
    dcCopy(ev, 'DC02', 'HV01').allowedToDelegateTo = [];
    const next = nextStepsSection(diagnose(ev))!;
    expect(next.lines).toContain('KDC_DELEGATION_REFUSED · HV01 → HV02: see docs/findings.md#kdc_delegation_refused');
    expect(next.lines).toContain("    Get-ADComputer 'HV01' -Server 'DC02' -Properties msDS-AllowedToDelegateTo, userAccountControl | Format-List Name, msDS-AllowedToDelegateTo, userAccountControl");
    expect(next.lines).toContain('REPLICATION_PENDING · HV01: see docs/findings.md#replication_pending');
    expect(next.lines).toContain('    repadmin /syncall DC02 /AdeP  # pushes every partition from and to DC02');
    expect(next.lines.join('\n')).not.toContain('DC01 /AdeP');
  });

  it('a fix the bot makes itself gets no manual step', () => {
    const ev = healthyEvidence(['HV01', 'HV02']);
    computer(ev, 'HV01').userAccountControl = 0x1000;
    const d = diagnose(ev);
    expect(d.findings.map((f) => f.code)).toContain('DELEGATION_KERBEROS_ONLY');
    expect(nextStepsSection(d)).toBeUndefined();
  });

  it('every code with a next step has its section in docs/findings.md, and no fixable code is among them', () => {
    for (const code of NEXT_STEP_CODES) {
      expect(DOC, code).toContain(`\n### ${code}\n`);
      expect(FIXABLE_CODES.has(code), code).toBe(false);
    }
    // Every code a person must act on is covered (evidence-only and info codes excepted).
    const evidenceOnly = new Set(['LM_AUTH_FAILURE_EVENT', 'HARDENING_UPDATE_CORRELATED', 'RBCD_PRESENT']);
    const uncovered = FINDING_CODES.filter((c) => !FIXABLE_CODES.has(c) && !evidenceOnly.has(c) && !NEXT_STEP_CODES.includes(c));
    expect(uncovered).toEqual([]);
  });
});

describe('evidence as facts', () => {
  it('says what a node may delegate to and which form is missing', () => {
    const ev = healthyEvidence(['HV01', 'HV02', 'HV03']);
    const c = computer(ev, 'HV01');
    c.allowedToDelegateTo = c.allowedToDelegateTo.filter((v) => v !== `${MVSMS}/${fqdn('HV03')}`);
    const f = diagnose(ev).findings.find((x) => x.code === 'DELEGATION_MISSING_MIGRATION_SERVICE')!;
    expect(evidenceFacts(f)[0]).toBe(
      'HV01 may delegate to: migration service on HV02, hv02.lab.test, HV03; cifs on HV02, hv02.lab.test, HV03, hv03.lab.test (missing: the FQDN form for HV03)',
    );
    expect(evidenceFacts(f).join('\n')).not.toMatch(/[[{"]/);
  });

  it('numbers read as hex and no line is unbounded', () => {
    const ev = healthyEvidence(['HV01', 'HV02']);
    computer(ev, 'HV01').userAccountControl = 0x1000;
    const f = diagnose(ev).findings.find((x) => x.code === 'DELEGATION_KERBEROS_ONLY')!;
    const facts = evidenceFacts(f);
    expect(facts.at(-1)).toMatch(/^userAccountControl: 0x1000; /);
    expect(facts.every((l) => l.length <= 300)).toBe(true);
  });
});
