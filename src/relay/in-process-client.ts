import type { RelayBackend } from './backend.js';
import type { CallOptions, RelayClient } from './relay-client.js';
import { operations, RelayError, type OperationName, type OpParams, type OpResult } from './protocol.js';

// A RelayClient that calls a backend in the same process, with the same validation on both
// sides as the HTTP path. Used by the CLI and tests on lab scenarios; the bot's `npm start`
// goes over the real signed HTTP protocol instead.
export class InProcessRelayClient implements RelayClient {
  constructor(
    private readonly backend: RelayBackend,
    readonly description: string,
  ) {}

  async call<O extends OperationName>(op: O, params: OpParams<O>, options: CallOptions = {}): Promise<OpResult<O>> {
    const spec = operations[op];
    const checked = spec.params.safeParse(params);
    if (!checked.success) throw new RelayError('BAD_REQUEST', `invalid parameters for ${op}: ${checked.error.issues[0]?.message}`);
    if (!this.backend.supports(op)) throw new RelayError('NOT_FOUND', `operation ${op} is not available on the ${this.backend.name} backend`);
    const result = await this.backend.handle(op, checked.data as OpParams<O>, { requester: options.requester, signal: options.signal });
    const out = spec.result.safeParse(result);
    if (!out.success) throw new RelayError('BAD_RESPONSE', `the ${this.backend.name} backend answered ${op} with data that does not match the protocol`);
    return out.data as OpResult<O>;
  }
}
