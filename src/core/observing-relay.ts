import type { CallOptions, RelayClient } from '../relay/relay-client.js';
import type { OperationName, OpParams, OpResult } from '../relay/protocol.js';

// Lets the check flow learn the directory's answer as soon as it arrives (to catch a mistyped
// node before posting anything in the channel) without adding a round trip.
export class ObservingRelayClient implements RelayClient {
  private resolveDirectory!: () => void;
  /** Settles when the first directory.computers call settles, whatever its outcome. */
  readonly directoryDone = new Promise<void>((resolve) => {
    this.resolveDirectory = resolve;
  });

  /** Names the directory reported as not found, once it answered. */
  notFound: string[] = [];

  constructor(private readonly inner: RelayClient) {}

  get description(): string {
    return this.inner.description;
  }

  async call<O extends OperationName>(op: O, params: OpParams<O>, options?: CallOptions): Promise<OpResult<O>> {
    try {
      const result = await this.inner.call(op, params, options);
      if (op === 'directory.computers') this.notFound = (result as OpResult<'directory.computers'>).notFound;
      return result;
    } finally {
      if (op === 'directory.computers') this.resolveDirectory();
    }
  }
}
