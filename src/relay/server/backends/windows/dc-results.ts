import { z } from 'zod';
import { RelayError, type OpParams, type OpResult } from '../../../protocol.js';
import { remoteError } from './envelope.js';
import { psDateTime, psList, parseData } from './ps-values.js';
import { hostHotfixes } from './read-results.js';

// What the DC role's functions answer (issue 19), and how it becomes the protocol's result.

const MAX_MESSAGE = 8000;
const text = (max: number) => z.string().max(max * 4).nullish().transform((v) => (v ? (v.length > max ? `${v.slice(0, max - 1)}…` : v) : null));

const kdcEvent = z.object({
  Log: z.enum(['Security', 'System']),
  Id: z.number().int(),
  Time: psDateTime,
  Status: z.string().regex(/^0x[0-9A-F]{1,8}$/).nullish(),
  Account: text(400),
  Service: text(400),
  TransmittedServices: text(2000),
  Message: text(MAX_MESSAGE),
});

export function dcKdcEvents(data: unknown): OpResult<'dc.kdc-events'> {
  const events = parseData(psList(kdcEvent), data, 'dc.kdc-events')
    .map((e) => ({ log: e.Log, id: e.Id, time: e.Time, status: e.Status ?? null, account: e.Account, service: e.Service, transmittedServices: e.TransmittedServices, message: e.Message ?? '' }))
    .sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  return { events: events.slice(0, 2000) };
}

export function dcHotfixes(data: unknown): OpResult<'dc.hotfixes'> {
  return hostHotfixes(data);
}

const partSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), errorType: z.string().nullable(), errorId: z.string().nullable(), message: z.string().nullable() }),
]);

export function dcEvidence(data: unknown, params: OpParams<'dc.evidence'>, endpoint: string): OpResult<'dc.evidence'> {
  let json: unknown;
  try {
    json = JSON.parse(typeof data === 'string' ? data : '');
  } catch {
    throw new RelayError('BAD_RESPONSE', 'PowerShell answered dc.evidence with something that is not JSON');
  }
  const parsed = z.object({ kdcEvents: partSchema, hotfixes: partSchema }).safeParse(json);
  if (!parsed.success) throw new RelayError('BAD_RESPONSE', 'PowerShell answered dc.evidence with JSON of an unexpected shape');
  const each = <T>(p: z.infer<typeof partSchema>, op: string, parse: (d: unknown) => T) => {
    if (!p.ok) {
      const err = remoteError(p, op, params.dc, endpoint);
      return { ok: false as const, error: { code: err.code, message: err.message } };
    }
    try {
      return { ok: true as const, value: parse(p.data) };
    } catch (err) {
      if (err instanceof RelayError) return { ok: false as const, error: { code: err.code, message: err.message } };
      throw err;
    }
  };
  return { kdcEvents: each(parsed.data.kdcEvents, 'dc.kdc-events', dcKdcEvents), hotfixes: each(parsed.data.hotfixes, 'dc.hotfixes', dcHotfixes) };
}
