import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnostics/diagnose.js';
import { healthyEvidence, kdcEvent, kdcEvents, withDcs } from '../../helpers/evidence-builder.js';

// A re-check after a fix sets `eventsSince` to when the fix started: a refusal the KDC logged
// before it describes the old delegation; one logged after it still counts.

function refusedAt(time: string, eventsSince: string) {
  const ev = healthyEvidence(['HV01', 'HV02']);
  withDcs(ev);
  kdcEvents(ev, 'DC01').push(kdcEvent({ log: 'Security', id: 4769, status: '0xD', account: 'HV01$@LAB.TEST', service: 'HV02$', time }));
  ev.eventsSince = eventsSince;
  return diagnose(ev).findings.map((f) => f.code);
}

describe('KDC events and the re-check after a fix', () => {
  it('a refusal logged before the fix started is left out', () => {
    expect(refusedAt('2026-11-20T08:00:00Z', '2026-11-20T08:30:00Z')).not.toContain('KDC_DELEGATION_REFUSED');
  });

  it('a refusal logged after the fix started still blocks (the near miss)', () => {
    expect(refusedAt('2026-11-20T08:45:00Z', '2026-11-20T08:30:00Z')).toContain('KDC_DELEGATION_REFUSED');
  });
});
