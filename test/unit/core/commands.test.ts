import { describe, expect, it } from 'vitest';
import { parseCommand, tokenize } from '../../../src/core/commands.js';

describe('parseCommand', () => {
  it.each([
    ['migration-check HV01 HV02', { name: 'migration-check', nodes: ['HV01', 'HV02'] }],
    ['migration-check hv01.lab.test HV02 HV03', { name: 'migration-check', nodes: ['hv01.lab.test', 'HV02', 'HV03'] }],
    ['migration-check HV01 HV02 initiator=alice@lab.test', { name: 'migration-check', nodes: ['HV01', 'HV02'], initiator: 'alice@lab.test' }],
    ['cluster-health', { name: 'cluster-health' }],
    ['cluster-health HVCLUSTER01', { name: 'cluster-health', cluster: 'HVCLUSTER01' }],
    ['cluster-health HVCLUSTER01 schedule "0 8 * * 1-5" tz=Europe/Paris quiet', { name: 'cluster-health-schedule', cluster: 'HVCLUSTER01', cron: '0 8 * * 1-5', tz: 'Europe/Paris', quiet: true }],
    ['cluster-health schedules', { name: 'cluster-health-schedules' }],
    ['cluster-health unschedule sc_1', { name: 'cluster-health-unschedule', id: 'sc_1' }],
    ['help', { name: 'help' }],
    ['', { name: 'help' }],
    ['audit pl_123', { name: 'audit', planId: 'pl_123' }],
  ])('%s', (text, command) => {
    expect(parseCommand(text)).toEqual({ ok: true, command });
  });

  it.each([
    ['migration-check HV01', /^A migration check needs at least two nodes .* Example: migration-check HV01 HV02$/],
    ['migration-check HV01 hv01.lab.test', /^HV01 and hv01\.lab\.test name the same node twice\./],
    ['migration-check HV01 HV02;rm', /^"HV02;rm" is not a valid node name: it may contain only letters, digits, hyphens and dots\./],
    ['migration-check HV01 $(whoami)', /is not a valid node name/],
    ['migration-check HV01 ABCDEFGHIJKLMNOP', /longer than the 15 characters a NetBIOS name allows/],
    ['migration-check HV01 -HV02', /starts or ends with a hyphen/],
    ['migration-check HV01 HV02 initiator=alice', /^initiator= takes a UPN or mail address/],
    ['reboot HV01', /^Unknown command "reboot"/],
    ['cluster-health CL1 schedule', /schedule needs a cron expression/],
    ['cluster-health CL1 schedule "* * * * *" loud', /^Unexpected "loud"/],
  ])('refuses %s with a one-line explanation', (text, message) => {
    const result = parseCommand(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toMatch(message);
      expect(result.message).not.toContain('\n');
    }
  });

  it('never echoes control characters back', () => {
    const result = parseCommand('migration-check HV01 HV\u000702');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('"HV?02"');
  });

  it('shows bidi overrides, isolates and zero-width characters as code points instead of echoing them', () => {
    const result = parseCommand('migration-check HV01 HV\u202e20\u200b\u2066x\u200dy');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain('"HV<U+202E>20<U+200B><U+2066>x<U+200D>y"');
      expect(result.message).not.toMatch(/[\u202e\u200b\u2066\u200d]/);
    }
    const unknown = parseCommand('\u2067deploy\u2069 now');
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.message).toContain('Unknown command "<U+2067>deploy<U+2069>"');
  });

  it('keeps quoted cron expressions together, including typographic quotes from chat clients', () => {
    expect(tokenize('a "0 8 * * *" b')).toEqual(['a', '0 8 * * *', 'b']);
    expect(tokenize('a “0 8 * * *” b')).toEqual(['a', '0 8 * * *', 'b']);
  });
});
