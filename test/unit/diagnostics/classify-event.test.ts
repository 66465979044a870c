import { describe, expect, it } from 'vitest';
import { classifyEvent, hresultsOf, isLmFailure } from '../../../src/diagnostics/classify-event.js';
import { lmEvent } from '../../helpers/evidence-builder.js';

// Live-migration failure events classified by HRESULT first, then by id, then by text
// (DOMAIN.md §1 HRESULT table and §2).

const T = '2026-11-20T08:00:00Z';

describe('classifyEvent', () => {
  it.each([
    [21502, "Live migration of 'VM01' failed. Failed to authenticate the connection at the source host: no suitable credentials available. (0x8009030E)", 'auth', '0x8009030E SEC_E_NO_CREDENTIALS'],
    [21502, 'The credentials supplied to the package were not recognized (0x8009030d).', 'auth', '0x8009030D SEC_E_UNKNOWN_CREDENTIALS'],
    [21502, 'The target principal name is incorrect. (0x80090322)', 'auth', '0x80090322 SEC_E_WRONG_PRINCIPAL'],
    [21502, "Virtual machine migration operation for 'VM01' failed at migration source: General access denied error (0x80070005)", 'auth', '0x80070005 E_ACCESSDENIED'],
    [21502, 'No connection could be made because the target machine actively refused it. (0x8007274D)', 'other', '0x8007274D connection refused (network)'],
    [21502, 'A connection attempt failed (0x8007274C)', 'other', '0x8007274C connection timed out (network)'],
    [21502, 'An existing connection was forcibly closed by the remote host (0x80072746)', 'other', '0x80072746 connection reset (network)'],
    [21502, 'An attempt was made to access a socket in a way forbidden by its access permissions (0x8007271D)', 'other', '0x8007271D socket access denied (firewall or antivirus)'],
    [21501, 'Migration did not succeed: the maximum number of simultaneous migrations was reached (0x8009030E)', 'other', 'event 21501: migration limit reached (capacity)'],
    [20413, 'Failed to register the configuration at the destination', 'other', expect.stringContaining('drive letters')],
    [21125, "Failed to set up the destination configuration: virtual switch 'LAN' not found", 'other', expect.stringContaining('virtual switch')],
    [21502, "Live migration of 'VM01' failed: the security context could not be established", 'auth', 'text mentions "security context"'],
    [21502, "Live migration of 'VM01' failed: the operation timed out", 'other', 'text mentions "timed out"'],
    [22038, 'Live migration failed.', 'auth', expect.stringContaining('unverified')],
    [22038, 'Live migration failed (0x8007274D)', 'other', expect.stringContaining('0x8007274D')],
    [21502, "Live migration of 'VM01' failed.", 'other', 'event 21502 names no authentication cause'],
  ])('event %i "%s" → %s', (id, message, cls, reason) => {
    const c = classifyEvent(lmEvent(id, T, message));
    expect(c.class).toBe(cls);
    expect(c.reason).toEqual(reason);
  });

  it('extracts every distinct HRESULT, upper-cased', () => {
    expect(hresultsOf('failed (0x8009030e) after (0x8007274D), again 0x8009030E')).toEqual(['0x8009030E', '0x8007274D']);
    expect(hresultsOf('no code here, 0x1234 is too short')).toEqual([]);
  });

  it('counts only live-migration failure ids (not 20417, a completed migration)', () => {
    expect([21502, 22038, 21501, 20413, 21125, 21024].every((id) => isLmFailure(lmEvent(id, T, '')))).toBe(true);
    expect([20417, 14050, 4769].some((id) => isLmFailure(lmEvent(id, T, '')))).toBe(false);
  });
});
