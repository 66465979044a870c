import type { OpResult, RelayErrorCode } from '../relay/protocol.js';

// Evidence is what the relay told us, kept exactly, each read with its own outcome: a failed
// read is recorded as a failure (never as an empty answer), so checks can tell "no delegation"
// from "could not read delegation" and mark a direction unknown instead of ok.
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: { code: RelayErrorCode | string; message: string } };

export interface HostEvidence {
  node: string;
  migration: Outcome<OpResult<'host.migration-settings'>>;
  security: Outcome<OpResult<'host.security'>>;
  events: Outcome<OpResult<'host.events'>>;
  hotfixes: Outcome<OpResult<'host.hotfixes'>>;
  dns: Outcome<OpResult<'host.dns'>>;
  /** The host's VMs (IsClustered, storage paths): which kinds of move a finding breaks. Optional: older evidence has none. */
  vms?: Outcome<OpResult<'host.vms'>>;
}

export interface DirectoryEvidence {
  computers: Outcome<OpResult<'directory.computers'>>;
  spnOwners: Outcome<OpResult<'directory.spn-owners'>>;
  /** Present only when an initiating account was named for the check. */
  initiator?: { id: string; outcome: Outcome<OpResult<'directory.user'>> };
}

export interface Evidence {
  /** Node names as the user gave them, in order. */
  nodes: string[];
  /** When the evidence was collected (the clock's now; the lab pins it). */
  collectedAt: string;
  /** Event window the host reads covered. */
  eventWindowHours: number;
  /**
   * Failure events before this instant are left out of the verdict: the re-check after a fix sets
   * it to when the fix started, since earlier failures describe the configuration before it.
   */
  eventsSince?: string;
  hosts: Record<string, HostEvidence>;
  directory: DirectoryEvidence;
}
