import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

// One id per inbound event (a chat command or click, a web request, a CLI run, a scheduled run),
// so one incident can be followed through the bot's log, the relay's audit log and the store's
// audit rows (docs/operations.md, "Follow one incident"). The id rides along the async work the
// event starts (AsyncLocalStorage), so the relay client, the store and the logger pick it up
// without every function passing it on.

/** Sent with every relay call made for an event; optional, and not part of the signature. */
export const REQUEST_ID_HEADER = 'x-triage-request-id';

/** A UUID, or another caller's id of the same alphabet: 8–128 characters, no spaces or quotes. */
export const REQUEST_ID_RULE = 'a request id is 8-128 letters, digits, dots, colons, underscores or hyphens, starting with a letter or digit';
export const requestIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/, REQUEST_ID_RULE);

export function newRequestId(): string {
  return randomUUID();
}

const current = new AsyncLocalStorage<string>();

/** Runs `fn` with `id` as the current request id (for it and everything it starts). */
export function withRequestId<T>(id: string, fn: () => T): T {
  return current.run(id, fn);
}

/** The request id of the event this code runs for, if any. */
export function currentRequestId(): string | undefined {
  return current.getStore();
}
