import type { Authorizer } from '../src/core/authorizer.js';
import type { OperationName, OpParams, OpResult } from '../src/relay/protocol.js';
import type { CallOptions, RelayClient } from '../src/relay/relay-client.js';

// The bench's own small stand-ins (it never imports test helpers): a burst that is not about
// authorisation lets everyone in, and the critical path counts directory round trips.

export const allowAll: Authorizer = {
  channelAllowed: async () => true,
  authorize: async () => ({ ok: true }),
};

/** Counts calls by operation-name prefix ("directory."), passing each through. */
export class CountingRelayClient implements RelayClient {
  private readonly counts = new Map<string, number>();
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
