import { setTimeout as sleep } from 'node:timers/promises';
import { chooseDcs, DEFAULT_DC_EVIDENCE_MAX } from '../diagnostics/collect-dcs.js';
import { RelayError, type DcDelegation } from '../relay/protocol.js';
import type { ApprovalsDeps } from './approvals-deps.js';
import type { Delegation } from './plan-steps.js';
import { holds } from './settle.js';

// After the approved delegation write (issue 19): wait, bounded, until every DC in the nodes'
// sites carries the new values, before the ticket purge. A node gets its tickets from a DC of its
// site; purging while that DC still holds the old values only fetches old tickets again. A DC that
// does not answer counts as not carrying them (unknown is never "done"). The wait polls
// directory.replication (one request per poll for all DCs) and reports each poll as progress.

export const DEFAULT_REPLICATION_WAIT_MS = 120_000;
export const DEFAULT_REPLICATION_POLL_MS = 5_000;

export interface PendingDc {
  dc: string;
  /** Computers this DC does not hold the planned values for yet (all, when it did not answer). */
  computers: string[];
  error?: string;
}

export type ReplicationWait =
  | { status: 'done'; dcs: string[]; polls: number; waitedMs: number }
  | { status: 'timeout'; dcs: string[]; pending: PendingDc[]; polls: number; waitedMs: number }
  /** The relay offers no DC reads (an older relay, or no DC listed): nothing to wait for. */
  | { status: 'not-read'; reason: string };

export interface WaitOptions {
  /** The nodes' sites, when known: only the DCs there count. */
  sites?: Array<string | null | undefined>;
  onProgress?: (pending: PendingDc[], poll: number, waitedMs: number) => Promise<void> | void;
  signal?: AbortSignal;
}

const REQUESTER = 'triage-bot replication wait';

function pendingOf(entries: Array<{ dc: string; ok: true; computers: DcDelegation[] } | { dc: string; ok: false; error: { message: string } }>, changes: Delegation[]): PendingDc[] {
  return entries.flatMap((e): PendingDc[] => {
    if (!e.ok) return [{ dc: e.dc, computers: changes.map((c) => c.computer), error: e.error.message }];
    const behind = changes.filter((change) => {
      const copy = e.computers.find((c) => c.computer.toUpperCase() === change.computer.split('.')[0]!.toUpperCase());
      if (!copy?.found || copy.userAccountControl === null) return true;
      return !holds({ ...copy, userAccountControl: copy.userAccountControl, name: copy.computer, distinguishedName: '', dnsHostName: null, servicePrincipalNames: [], supportedEncryptionTypes: null }, change.desired);
    });
    return behind.length > 0 ? [{ dc: e.dc, computers: behind.map((c) => c.computer) }] : [];
  });
}

export async function awaitReplication(deps: ApprovalsDeps, changes: Delegation[], options: WaitOptions = {}): Promise<ReplicationWait> {
  const waitMs = deps.replicationWaitMs ?? DEFAULT_REPLICATION_WAIT_MS;
  const pollMs = deps.replicationPollMs ?? DEFAULT_REPLICATION_POLL_MS;
  let listed;
  try {
    listed = await deps.relay.call('dc.list', {}, { requester: REQUESTER });
  } catch (err) {
    return { status: 'not-read', reason: err instanceof RelayError ? err.message : String(err) };
  }
  const { read } = chooseDcs(listed.dcs, options.sites ?? [], deps.maxDcs ?? DEFAULT_DC_EVIDENCE_MAX);
  if (read.length === 0) return { status: 'not-read', reason: 'the directory lists no domain controller' };
  const dcs = read.map((d) => d.name);
  const started = deps.clock.now().getTime();
  const startedReal = performance.now();
  for (let poll = 1; ; poll++) {
    let pending: PendingDc[];
    try {
      const answer = await deps.relay.call('directory.replication', { computers: changes.map((c) => c.computer), dcs }, { requester: REQUESTER });
      pending = pendingOf(answer.dcs, changes);
    } catch (err) {
      pending = dcs.map((dc) => ({ dc, computers: changes.map((c) => c.computer), error: (err as Error).message }));
    }
    const waitedMs = Math.max(deps.clock.now().getTime() - started, Math.round(performance.now() - startedReal));
    if (pending.length === 0) return { status: 'done', dcs, polls: poll, waitedMs };
    if (waitedMs + pollMs > waitMs) return { status: 'timeout', dcs, pending, polls: poll, waitedMs };
    try {
      await options.onProgress?.(pending, poll, waitedMs);
    } catch {
      // A progress message that cannot be posted must not stop the fix.
    }
    await sleep(pollMs, undefined, options.signal ? { signal: options.signal } : {});
  }
}

/** `DC02 (HV02), DC03 (did not answer)` for messages. */
export function describePending(pending: PendingDc[]): string {
  return pending.map((p) => `${p.dc} (${p.error ? 'did not answer' : p.computers.join(', ')})`).join(', ');
}
