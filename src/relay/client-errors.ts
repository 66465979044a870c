import { ERROR_STATUS, RelayError, responseSchema, type RelayErrorCode } from './protocol.js';

// Turning what came back from the relay (or what went wrong on the way) into RelayErrors whose
// messages a person can act on: which relay, what happened, which setting to look at.

export const RESPONSE_LIMIT_BYTES = 32 * 1024 * 1024;

const TRANSPORT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was closed before an answer arrived',
  EPIPE: 'the connection was closed before an answer arrived',
  ENOTFOUND: 'its host name does not resolve',
  EAI_AGAIN: 'its host name could not be resolved right now',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'the connection timed out',
};

const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function describeTransportError(e: NodeJS.ErrnoException): string {
  const code = e.code ?? '';
  if (TRANSPORT[code]) return TRANSPORT[code]!;
  if (UNTRUSTED.has(code)) return `its TLS certificate is not trusted (${code}); set RELAY_CA_FILE to the CA that signed it`;
  if (/CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|BAD_CERTIFICATE|UNKNOWN_CA/i.test(`${code} ${e.message}`)) {
    return 'the TLS handshake was refused; the relay may require a client certificate (RELAY_CLIENT_CERT, RELAY_CLIENT_KEY)';
  }
  if (/socket hang up/i.test(e.message)) return TRANSPORT.ECONNRESET!;
  return code ? `network error ${code}` : 'network error';
}

const KNOWN_CODES = new Set<string>([...Object.keys(ERROR_STATUS), 'RELAY_UNAVAILABLE', 'BAD_RESPONSE']);

/** The `result` of a successful answer; otherwise throws the RelayError it carries or describes. */
export function parseAnswer(origin: string, op: string, status: number, body: Buffer): unknown {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new RelayError('BAD_RESPONSE', `the relay at ${origin} answered ${op} with HTTP ${status} and a body that is not JSON; is RELAY_URL pointing at triage-relay?`);
  }
  const parsed = responseSchema.safeParse(json);
  if (!parsed.success) throw new RelayError('BAD_RESPONSE', `the relay at ${origin} answered ${op} with HTTP ${status} in a shape that is not the relay protocol`);
  const answer = parsed.data;
  if (answer.ok) {
    if (status < 200 || status > 299) throw new RelayError('BAD_RESPONSE', `the relay at ${origin} answered ${op} with HTTP ${status} but claimed success`);
    return answer.result;
  }
  const code = KNOWN_CODES.has(answer.error.code) ? (answer.error.code as RelayErrorCode) : 'BACKEND_ERROR';
  if (code === 'UNAUTHORIZED') throw new RelayError(code, refusedMessage(origin, answer.error.message.slice(0, 1000)), answer.error.details);
  throw new RelayError(code, answer.error.message.slice(0, 1000), answer.error.details);
}

/**
 * A 401 is about us, not about any node: say which setting to look at. A clock too far off is the
 * one 401 the key cannot cause, so it points at the clock instead.
 */
export function refusedMessage(origin: string, said: string): string {
  if (/timestamp/i.test(said)) return `the relay refused our request (is this host's clock right?): ${said} (relay at ${origin})`;
  return `the relay refused our signature (RELAY_KEY_SECRET?): ${said}; RELAY_KEY_ID and RELAY_KEY_SECRET must match an entry of RELAY_KEYS on the relay at ${origin}`;
}
