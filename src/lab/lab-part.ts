import { RelayError } from '../relay/protocol.js';

/**
 * One part of a combined lab read (host.evidence, dc.evidence): its value, or the relay error it
 * raised, so a failed part never loses the others. Other errors are bugs and propagate.
 */
export function part<T>(read: () => T): { ok: true; value: T } | { ok: false; error: { code: string; message: string } } {
  try {
    return { ok: true, value: read() };
  } catch (e) {
    if (e instanceof RelayError) return { ok: false, error: { code: e.code, message: e.message } };
    throw e;
  }
}
