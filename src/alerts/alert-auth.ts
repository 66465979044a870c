import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AlertSource } from '../approvals/alert-policy-schema.js';

// Each alert source proves itself with its own secret, named in the policy file by environment
// variable: a bearer token (Authorization: Bearer …, what Alertmanager's http_config and Azure
// Monitor's secure webhook send) or an HMAC-SHA256 of the exact body (X-Triage-Signature:
// sha256=<hex>, for scripts and event forwarders). Compared in constant time.

export const SIGNATURE_HEADER = 'x-triage-signature';
export const MIN_SECRET_LENGTH = 32;

export interface SourceSecret {
  source: AlertSource;
  secret: string;
}

/** Each source's secret from the environment; a missing or short one is a start-up error. */
export function sourceSecrets(sources: AlertSource[], env: NodeJS.ProcessEnv): SourceSecret[] {
  return sources.map((source) => {
    const name = 'bearerTokenEnv' in source.auth ? source.auth.bearerTokenEnv : source.auth.hmacSecretEnv;
    const secret = env[name];
    if (!secret || secret.length < MIN_SECRET_LENGTH) {
      throw new Error(`alert source ${source.name}: ${name} must hold a secret of at least ${MIN_SECRET_LENGTH} characters (openssl rand -hex 32)`);
    }
    return { source, secret };
  });
}

export type AuthResult = { ok: true } | { ok: false; message: string };

export function authenticate(s: SourceSecret, headers: IncomingHttpHeaders, body: Buffer): AuthResult {
  if ('bearerTokenEnv' in s.source.auth) {
    const header = headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) return { ok: false, message: `source ${s.source.name} needs Authorization: Bearer <token>` };
    return same(token, s.secret) ? { ok: true } : { ok: false, message: 'the bearer token is not valid for this source' };
  }
  const given = String(headers[SIGNATURE_HEADER] ?? '');
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(given)?.[1];
  if (!hex) return { ok: false, message: `source ${s.source.name} needs ${SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of the body>` };
  const expected = createHmac('sha256', s.secret).update(body).digest('hex');
  return same(hex.toLowerCase(), expected) ? { ok: true } : { ok: false, message: 'the signature does not match the body' };
}

/** Constant time whatever the lengths: both sides are hashed first. */
function same(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
