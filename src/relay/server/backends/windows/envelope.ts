import { z } from 'zod';
import { RelayError } from '../../../protocol.js';

// Every script prints one JSON line: {"ok":true,"data":...} or, from its catch block,
// {"ok":false,"errorType":...,"errorId":...,"message":...}. Remote failures become stable relay
// errors with messages written here, never Windows' own text (which can carry internal names).

const envelopeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), errorType: z.string().nullable(), errorId: z.string().nullable(), message: z.string().nullable() }),
]);

export type Envelope = z.infer<typeof envelopeSchema>;
type Failure = Extract<Envelope, { ok: false }>;

export function parseEnvelope(raw: string, op: string): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(raw.trim());
  } catch {
    throw new RelayError('BAD_RESPONSE', `PowerShell answered ${op} with something that is not JSON`);
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) throw new RelayError('BAD_RESPONSE', `PowerShell answered ${op} with JSON of an unexpected shape`);
  return parsed.data;
}

const TRANSPORT = /PSRemotingTransportException/;
const TRANSPORT_IDS = /PSSessionStateBroken|PSSessionOpenFailed|CannotConnect|ComputerNotFound|WinRMOperationTimeout|AccessDenied/i;
const ACCESS_DENIED = /AccessDenied|Access is denied/i;

/** A short, safe rendering of a PowerShell FullyQualifiedErrorId (letters, digits and punctuation only). */
function safeId(id: string | null): string {
  const first = (id ?? '').split(',')[0] ?? '';
  return /^[A-Za-z0-9._-]{1,80}$/.test(first) ? first : 'unknown error';
}

/**
 * WinRM could not reach the host or the JEA endpoint refused us → HOST_UNREACHABLE. Anything
 * else went wrong on the host (a command missing from the role, a cmdlet failing) → BACKEND_ERROR.
 */
export function remoteError(failure: Failure, op: string, target: string, endpoint: string): RelayError {
  const type = failure.errorType ?? '';
  const id = failure.errorId ?? '';
  const text = failure.message ?? '';
  if (TRANSPORT.test(type) || TRANSPORT_IDS.test(id)) {
    if (/^InvalidResourceUri\b/.test(id)) {
      return new RelayError('HOST_UNREACHABLE', `${target}: the JEA endpoint ${endpoint} is not registered there (run manifests/jea/Register-TriageJea.ps1 on it)`);
    }
    if (ACCESS_DENIED.test(id) || ACCESS_DENIED.test(text)) {
      return new RelayError('HOST_UNREACHABLE', `${target}: access to the JEA endpoint ${endpoint} was denied (is the relay's account in the role's group?)`);
    }
    return new RelayError('HOST_UNREACHABLE', `${target}: could not connect over WinRM to the JEA endpoint ${endpoint}`);
  }
  return new RelayError('BACKEND_ERROR', `${target}: the JEA endpoint ${endpoint} could not run ${op} (${safeId(failure.errorId)})`);
}
