import { randomBytes } from 'node:crypto';
import type { Authorizer } from '../../src/core/authorizer.js';
import type { CheckRunRecord, CoreStore } from '../../src/core/core-store.js';
import type { OperationName, OpParams, OpResult } from '../../src/relay/protocol.js';
import type { CallOptions, RelayClient } from '../../src/relay/relay-client.js';

// Test-only stand-ins for the core's ports, kept out of the product (bench/ has its own).

/** Everyone may do everything: only for tests that are not about authorisation. */
export const allowAll: Authorizer = {
  channelAllowed: async () => true,
  authorize: async () => ({ ok: true }),
};

/** Check records in memory, for tests that do not exercise the store. */
export class MemoryCoreStore implements CoreStore {
  private readonly runs = new Map<string, CheckRunRecord>();
  async saveCheckRun(run: Omit<CheckRunRecord, 'id'>): Promise<CheckRunRecord> {
    // Opaque like the store's ids (cr_ and 16 base64url characters), as buttons carry them.
    const record = { ...run, id: `cr_${randomBytes(12).toString('base64url')}` };
    this.runs.set(record.id, record);
    return record;
  }
  async getCheckRun(id: string): Promise<CheckRunRecord | undefined> {
    return this.runs.get(id);
  }
}

/** Counts round trips per operation: the engine must make one directory query per check. */
export class CountingRelayClient implements RelayClient {
  readonly counts = new Map<OperationName, number>();
  constructor(private readonly inner: RelayClient) {}
  get description(): string {
    return this.inner.description;
  }
  call<O extends OperationName>(op: O, params: OpParams<O>, options?: CallOptions): Promise<OpResult<O>> {
    this.counts.set(op, (this.counts.get(op) ?? 0) + 1);
    return this.inner.call(op, params, options);
  }
  count(prefix: string): number {
    let n = 0;
    for (const [op, c] of this.counts) if (op.startsWith(prefix)) n += c;
    return n;
  }
}
