import type { BackendContext, RelayBackend } from '../relay/backend.js';
import type { OperationName, OpParams, OpResult } from '../relay/protocol.js';

// The lab console can switch scenarios while the lab relay keeps running: requests go to the
// current backend, and a switch replaces it for every later request.
export class SwitchableBackend implements RelayBackend {
  readonly name = 'lab';
  constructor(private current: RelayBackend) {}

  swap(next: RelayBackend): void {
    const old = this.current;
    this.current = next;
    void old.close?.();
  }

  supports(op: OperationName): boolean {
    return this.current.supports(op);
  }

  handle<O extends OperationName>(op: O, params: OpParams<O>, ctx: BackendContext): Promise<OpResult<O>> {
    return this.current.handle(op, params, ctx);
  }

  async close(): Promise<void> {
    await this.current.close?.();
  }
}
