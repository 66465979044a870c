import type { BackendContext, RelayBackend } from '../backend.js';
import { RelayError, type OperationName, type OpParams, type OpResult } from '../protocol.js';

// Several backends behind one: each operation goes to the first backend that supports it
// (windows for host.*, cluster.* and vm.*, directory for directory.*).
export class CompositeBackend implements RelayBackend {
  readonly name: string;

  constructor(private readonly backends: RelayBackend[]) {
    this.name = backends.map((b) => b.name).join('+');
  }

  supports(op: OperationName): boolean {
    return this.backends.some((b) => b.supports(op));
  }

  handle<O extends OperationName>(op: O, params: OpParams<O>, ctx: BackendContext): Promise<OpResult<O>> {
    const backend = this.backends.find((b) => b.supports(op));
    if (!backend) return Promise.reject(new RelayError('NOT_FOUND', `operation ${op} is not available on this relay`));
    return backend.handle(op, params, ctx);
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled(this.backends.map((b) => b.close?.()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}
