import { describe, expect, it } from 'vitest';
import { classifyEvent, hresultsOf, HRESULT_CLASSES, isLmFailure } from '../../../src/diagnostics/classify-event.js';
import { lmEvent } from '../../helpers/evidence-builder.js';

// Live-migration failure events classified by HRESULT first, then by id, then by text, with the
// classes of KB4558514 (docs/domain.md "Events and HRESULT classes").

const T = '2026-11-20T08:00:00Z';

describe('classifyEvent', () => {
  it.each([
    [21502, "Live migration of 'VM01' failed. Failed to authenticate the connection at the source host: no suitable credentials available. (0x8009030E)", 'auth', '0x8009030E SEC_E_NO_CREDENTIALS'],
    [21502, 'The credentials supplied to the package were not recognized (0x8009030d).', 'auth', '0x8009030D SEC_E_UNKNOWN_CREDENTIALS'],
    [21502, 'The target principal name is incorrect. (0x80090322)', 'dns', '0x80090322 SEC_E_WRONG_PRINCIPAL'],
    [21502, 'Failed to create Planned Virtual Machine at migration destination: Logon failure: the user has not been granted the requested logon type at this computer. (0x80070569)', 'logon-right', '0x80070569 ERROR_LOGON_TYPE_NOT_GRANTED'],
    [21502, 'Failed to write VHD attachment: Account restrictions are preventing this user from signing in. (0x8007052f)', 'logon-right', '0x8007052F ERROR_ACCOUNT_RESTRICTION'],
    [21502, 'Logon failure: the user has not been granted the requested logon type at this computer.', 'logon-right', 'text mentions "not been granted the requested logon type"'],
    [21502, 'The Virtual Machine Management Service failed to establish a connection with host "HOST5": The target principal name is incorrect.', 'dns', 'text mentions "target principal name is incorrect"'],
    [21502, 'Logon failure (0x80070569) after failing to authenticate (0x8009030E)', 'logon-right', '0x80070569 ERROR_LOGON_TYPE_NOT_GRANTED'],
    [21502, "Virtual machine migration operation for 'VM01' failed at migration source: General access denied error (0x80070005)", 'auth', '0x80070005 E_ACCESSDENIED'],
    [21502, 'No connection could be made because the target machine actively refused it. (0x8007274D)', 'network', '0x8007274D WSAECONNREFUSED'],
    [21502, 'A connection attempt failed (0x8007274C)', 'network', '0x8007274C WSAETIMEDOUT'],
    [21502, 'An existing connection was forcibly closed by the remote host (0x80072746)', 'network', '0x80072746 WSAECONNRESET'],
    [21502, 'An attempt was made to access a socket in a way forbidden by its access permissions (0x8007271D)', 'network', '0x8007271D WSAEACCES'],
    [21501, 'Migration did not succeed: the maximum number of simultaneous migrations was reached (0x8009030E)', 'other', 'event 21501: migration limit reached (capacity)'],
    [20413, 'Failed to register the configuration at the destination', 'other', expect.stringContaining('drive letters')],
    [21125, "Failed to set up the destination configuration: virtual switch 'LAN' not found", 'other', expect.stringContaining('virtual switch')],
    [21502, "Live migration of 'VM01' failed: the security context could not be established", 'auth', 'text mentions "security context"'],
    [21502, "Live migration of 'VM01' failed: the operation timed out", 'network', 'text mentions "timed out"'],
    [22038, 'Live migration failed.', 'auth', expect.stringContaining('unverified')],
    [22038, 'Live migration failed (0x8007274D)', 'network', expect.stringContaining('0x8007274D')],
    [21502, "Live migration of 'VM01' failed.", 'other', 'event 21502 names no authentication cause'],
  ])('event %i "%s" → %s', (id, message, cls, reason) => {
    const c = classifyEvent(lmEvent(id, T, message));
    expect(c.class).toBe(cls);
    expect(c.reason).toEqual(reason);
  });

  it('keeps one HRESULT table where no logon-right, DNS or network code is an authentication cause', () => {
    for (const h of ['0x80070569', '0x8007052F', '0x80090322', '0x8007274D', '0x8007274C', '0x80072746', '0x8007271D']) {
      expect(HRESULT_CLASSES[h]?.class, h).not.toBe('auth');
    }
    expect(Object.entries(HRESULT_CLASSES).filter(([, c]) => c.class === 'auth').map(([h]) => h)).toEqual(['0x8009030E', '0x8009030D', '0x80070005']);
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
