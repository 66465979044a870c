import http from 'node:http';
import https from 'node:https';
import { systemClock, type Clock } from '../kernel/clock.js';
import { signRequest } from '../relay/signing.js';
import type { ProbeResult } from './readiness.js';

// Is the relay reachable, and does it accept our key? A signed POST to an operation that does not
// exist: the relay checks the signature first (docs/relay-protocol.md), so 404 NOT_FOUND proves the
// key and the clock are good while running nothing on a host or in AD; 401 means the relay refuses
// our key. The relay writes one audit line per probe (requester "readyz"); /readyz caches results
// so a probe every few seconds from each replica stays a few lines a minute.

export interface RelayProbeTarget {
  url: string;
  keyId: string;
  secret: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export const PROBE_OPERATION = 'readiness-probe';

export function probeRelay(target: RelayProbeTarget, timeoutMs: number, clock: Clock = systemClock): Promise<ProbeResult> {
  const base = new URL(target.url);
  const path = `${base.pathname.replace(/\/+$/, '')}/v1/ops/${PROBE_OPERATION}`;
  const body = '{}';
  const headers = {
    ...signRequest({ keyId: target.keyId, secret: target.secret, method: 'POST', path, body, clock }),
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    // The header the relay writes into its audit line as the requester.
    'x-triage-requester': 'readyz',
  };
  const lib = base.protocol === 'https:' ? https : http;
  return new Promise<ProbeResult>((resolve) => {
    const req = lib.request({ protocol: base.protocol, hostname: base.hostname, port: base.port, method: 'POST', path, headers, agent: false, ca: target.ca, cert: target.cert, key: target.key, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(classify(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8').slice(0, 2000), base.origin)));
      res.on('error', () => resolve({ ok: false, detail: `the relay at ${base.origin} cut its answer short` }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, detail: `the relay at ${base.origin} is not reachable: ${err.code ?? err.message}` }));
    req.end(body);
  });
}

function classify(status: number, text: string, origin: string): ProbeResult {
  let code = '';
  let message = '';
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    code = typeof parsed.error?.code === 'string' ? parsed.error.code : '';
    message = typeof parsed.error?.message === 'string' ? parsed.error.message.slice(0, 200) : '';
  } catch {
    // Not the relay's JSON: reported by status below.
  }
  if (status === 404 && code === 'NOT_FOUND') return { ok: true, detail: `the relay at ${origin} accepted our signature` };
  if (status === 401) return { ok: false, detail: `the relay at ${origin} refuses our key: ${message || 'unauthorized'}` };
  if (status === 429) return { ok: false, detail: `the relay at ${origin} is rate-limiting us` };
  return { ok: false, detail: `the relay at ${origin} answered ${status}${code ? ` ${code}` : ''}, not the protocol's answer to an unknown operation` };
}
