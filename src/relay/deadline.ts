import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { BackendContext } from './backend.js';
import { RelayError } from './protocol.js';

// Deadlines the relay obeys (issue 16). Each request the bot sends carries the instant after
// which it will no longer wait for the answer:
//   x-triage-deadline:           Unix milliseconds
//   x-triage-deadline-signature: v1=hex HMAC-SHA256(key secret, "deadline:v1:<nonce>:<ms>")
// The MAC is bound to the request's nonce, which the request signature already covers, so a
// deadline cannot be changed or moved to another request. The relay refuses to start work past
// the deadline, and aborts the backend's host/LDAP work when it passes or the client goes away.
// v1 request signatures are unchanged: a request without these headers has no deadline.

export const DEADLINE_HEADERS = { deadline: 'x-triage-deadline', signature: 'x-triage-deadline-signature' } as const;

function mac(secret: string, nonce: string, deadlineMs: string): string {
  return `v1=${createHmac('sha256', secret).update(`deadline:v1:${nonce}:${deadlineMs}`).digest('hex')}`;
}

/** The two headers for a request signed with `nonce` that the caller waits for until `deadlineMs`. */
export function deadlineHeaders(secret: string, nonce: string, deadlineMs: number): Record<string, string> {
  const ms = String(Math.floor(deadlineMs));
  return { [DEADLINE_HEADERS.deadline]: ms, [DEADLINE_HEADERS.signature]: mac(secret, nonce, ms) };
}

export type DeadlineRead = { kind: 'none' } | { kind: 'ok'; deadlineMs: number } | { kind: 'bad'; message: string };

/** Relay side: the request's deadline, after its signature was verified with `secret`. */
export function readDeadline(headers: IncomingHttpHeaders, secret: string, nonce: string): DeadlineRead {
  const value = headers[DEADLINE_HEADERS.deadline];
  const signature = headers[DEADLINE_HEADERS.signature];
  if (value === undefined && signature === undefined) return { kind: 'none' };
  if (typeof value !== 'string' || !/^\d{10,15}$/.test(value) || typeof signature !== 'string') return { kind: 'bad', message: 'the deadline headers are malformed' };
  const expected = Buffer.from(mac(secret, nonce, value));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { kind: 'bad', message: 'the deadline signature does not match' };
  return { kind: 'ok', deadlineMs: Number(value) };
}

/**
 * Backends call this right before they change anything: after a pause (a frozen relay, a slow
 * queue) the timers that would abort the work may not have fired yet, but the wall clock has moved.
 */
export function assertStillWanted(ctx: BackendContext, nowMs = Date.now()): void {
  if (ctx.signal?.aborted) throw new RelayError('TIMEOUT', 'the caller hung up or its deadline passed before the change; nothing was written');
  if (ctx.deadlineMs !== undefined && nowMs >= ctx.deadlineMs) throw new RelayError('TIMEOUT', "the caller's deadline passed before the change; nothing was written");
}
