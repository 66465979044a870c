import { z } from 'zod';
import { RelayError, type OpParams, type OpResult } from '../../../protocol.js';
import { remoteError } from './envelope.js';
import * as read from './read-results.js';

// host.evidence: Get-HvLmEvidence answers one JSON text made on the node, holding each part as
// {ok:true,data} (the same shape the single read's script gives) or {ok:false,errorType,errorId,
// message}. Each part goes through the single read's own parser; a part that failed on the node,
// or that this relay cannot read, becomes that part's error and never costs the others.

const partSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), errorType: z.string().nullable(), errorId: z.string().nullable(), message: z.string().nullable() }),
]);
const evidenceSchema = z.object({ migration: partSchema, security: partSchema, events: partSchema, hotfixes: partSchema, dns: partSchema, vms: partSchema });

type Result = OpResult<'host.evidence'>;
type Part<K extends keyof Result> = Result[K];

export function hostEvidence(data: unknown, params: OpParams<'host.evidence'>, endpoint: string): Result {
  let json: unknown;
  try {
    json = JSON.parse(typeof data === 'string' ? data : '');
  } catch {
    throw new RelayError('BAD_RESPONSE', 'PowerShell answered host.evidence with something that is not JSON');
  }
  const parsed = evidenceSchema.safeParse(json);
  if (!parsed.success) throw new RelayError('BAD_RESPONSE', 'PowerShell answered host.evidence with JSON of an unexpected shape');
  const e = parsed.data;
  const each = <K extends keyof Result>(key: K, op: string, parse: (data: unknown) => unknown): Part<K> => {
    const p = e[key];
    // The node wraps every part's pipeline in an array; migration and security are one object each.
    const one = (data: unknown) => (Array.isArray(data) && data.length === 1 && (key === 'migration' || key === 'security') ? data[0] : data);
    if (!p.ok) {
      const err = remoteError(p, op, params.node, endpoint);
      return { ok: false, error: { code: err.code, message: err.message } } as Part<K>;
    }
    try {
      return { ok: true, value: parse(one(p.data)) } as Part<K>;
    } catch (err) {
      if (err instanceof RelayError) return { ok: false, error: { code: err.code, message: err.message } } as Part<K>;
      throw err;
    }
  };
  return {
    migration: each('migration', 'host.migration-settings', read.migrationSettings),
    security: each('security', 'host.security', read.hostSecurity),
    events: each('events', 'host.events', read.hostEvents),
    hotfixes: each('hotfixes', 'host.hotfixes', read.hostHotfixes),
    dns: params.names.length > 0 ? each('dns', 'host.dns', (d) => read.hostDns(d, { node: params.node, names: params.names })) : { ok: true, value: { answers: [] } },
    vms: each('vms', 'host.vms', read.hostVms),
  };
}
