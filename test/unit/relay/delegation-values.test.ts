import { describe, expect, it } from 'vitest';
import { operations } from '../../../src/relay/protocol.js';

// A computer may already delegate to other services (HTTP/…, MSSQLSvc/…:1433). The compare-and-
// swap must carry those values back unchanged, but the relay must never ADD anything beyond the
// migration service, cifs and HOST SPNs of valid host names.
const token = `${Buffer.from('{"id":"x"}').toString('base64url')}.${'0'.repeat(64)}`;
const params = (expected: string[], desired: string[]) => ({
  changes: [{ computer: 'HV01', expected: { allowedToDelegateTo: expected, userAccountControl: 4096 }, desired: { allowedToDelegateTo: desired, userAccountControl: 16781312 } }],
  approval: token,
});
const schema = operations['directory.apply-delegation'].params;

describe('directory.apply-delegation values', () => {
  it('keeps existing delegations to other services while adding allow-listed ones', () => {
    const existing = ['HTTP/web01.lab.test', 'MSSQLSvc/sql01.lab.test:1433'];
    expect(schema.safeParse(params(existing, [...existing, 'Microsoft Virtual System Migration Service/HV02'])).success).toBe(true);
  });

  it('refuses to add a service class that is not allow-listed', () => {
    const r = schema.safeParse(params([], ['HTTP/web01.lab.test']));
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['changes', 0, 'desired', 'allowedToDelegateTo', 0]);
  });

  it.each(['HTTP/web01;rm', 'HTTP/$(id)', 'cifs/hv02\nx', 'HTTP/*)(uid=*', 'HTTP/web01`', 'НTTP/web01'])('refuses a malformed existing value %j', (value) => {
    expect(schema.safeParse(params([value], [value])).success).toBe(false);
  });
});
